import CSQLite
import Foundation
import KindredEngine
import Testing

@testable import KindredSources

/// A SQLite database in a temporary file, written with Debian's libsqlite3.
final class TemporaryDatabase {
    let path: String
    private var handle: OpaquePointer?

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("kindred-\(UUID().uuidString).db").path
        guard sqlite3_open(path, &handle) == SQLITE_OK else { throw SourceError(source: path, reason: "open") }
    }

    deinit {
        sqlite3_close(handle)
        try? FileManager.default.removeItem(atPath: path)
    }

    var url: String { "sqlite://" + path }

    func execute(_ sql: String) throws {
        guard sqlite3_exec(handle, sql, nil, nil, nil) == SQLITE_OK else {
            throw SourceError(source: path, reason: String(cString: sqlite3_errmsg(handle)))
        }
    }

    /// Inserts one row, binding `values` (String, Int or nil) to `?` in order.
    func insert(_ sql: String, _ values: [Any?]) throws {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK else {
            throw SourceError(source: path, reason: String(cString: sqlite3_errmsg(handle)))
        }
        defer { sqlite3_finalize(statement) }
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for (i, value) in values.enumerated() {
            switch value {
            case let text as String: sqlite3_bind_text(statement, Int32(i + 1), text, -1, transient)
            case let number as Int: sqlite3_bind_int64(statement, Int32(i + 1), Int64(number))
            default: sqlite3_bind_null(statement, Int32(i + 1))
            }
        }
        guard sqlite3_step(statement) == SQLITE_DONE else {
            throw SourceError(source: path, reason: String(cString: sqlite3_errmsg(handle)))
        }
    }
}

/// Reads a source the way `kindred reindex --source` does.
func readSource(_ url: String, query: String = ArticleSource.defaultQuery) throws -> CorpusReader.Result {
    try ArticleSource.read(url: SourceURL(url), query: query)
}

@Suite("SQLite as an article source")
struct SQLiteSourceTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let corpus = try! CorpusReader().read(path: root.appendingPathComponent("corpus").path).articles

    /// The sample corpus in a plain `articles` table, tags as comma-separated text.
    static func plainTable() throws -> TemporaryDatabase {
        let database = try TemporaryDatabase()
        try database.execute(
            "CREATE TABLE articles (id TEXT PRIMARY KEY, title TEXT, body TEXT, url TEXT, published_at TEXT, section TEXT, language TEXT, tags TEXT)"
        )
        for article in corpus {
            try database.insert(
                "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    article.id, article.title, article.body, article.url, article.publishedAt.map(RFC3339.format),
                    article.section, article.language, article.tags.joined(separator: ", "),
                ])
        }
        return database
    }

    @Test("a plain articles table gives the corpus's articles, and so the same model and lists")
    func sameModel() throws {
        let database = try Self.plainTable()
        let read = try readSource(database.url)
        #expect(read.problems.isEmpty && read.lines == Self.corpus.count)
        #expect(read.articles == Self.corpus)
        let fromSource = try ModelBuilder().build(read.articles).model
        let fromCorpus = try ModelBuilder().build(Self.corpus).model
        for article in Self.corpus.prefix(20) {
            #expect(try fromSource.related(to: article.id, k: 5) == fromCorpus.related(to: article.id, k: 5))
        }
    }

    @Test("a WordPress-shaped table through a query: integer ids, HTML bodies, drafts left out")
    func wordPress() throws {
        let database = try TemporaryDatabase()
        try database.execute(
            "CREATE TABLE wp_posts (ID INTEGER PRIMARY KEY, post_title TEXT, post_content TEXT, post_status TEXT, post_date_gmt INTEGER)"
        )
        try database.insert(
            "INSERT INTO wp_posts VALUES (?, ?, ?, ?, ?)",
            [
                7, "Red dot", "<!-- wp:paragraph --><p>Leica&nbsp;and Xiaomi</p><!-- /wp:paragraph -->", "publish",
                1_772_614_200,
            ])
        try database.insert(
            "INSERT INTO wp_posts VALUES (?, ?, ?, ?, ?)", [8, "Draft", "<p>unfinished</p>", "draft", nil])
        let read = try readSource(
            database.url,
            query:
                "SELECT ID AS id, post_title AS title, post_content AS body, post_date_gmt AS published_at FROM wp_posts WHERE post_status = 'publish'"
        )
        #expect(read.problems.isEmpty)
        let article = try #require(read.articles.first)
        #expect(read.articles.count == 1 && article.id == "7")
        #expect(article.body.split(whereSeparator: \.isWhitespace) == ["Leica", "and", "Xiaomi"])
        #expect(article.publishedAt == Date(timeIntervalSince1970: 1_772_614_200))
    }

    @Test("bad rows are problems naming the source and row; the rest is read")
    func badRows() throws {
        let database = try Self.plainTable()
        try database.insert("INSERT INTO articles (id, title, body) VALUES (?, ?, ?)", ["empty", nil, nil])
        try database.insert(
            "INSERT INTO articles (id, title, language) VALUES (?, ?, ?)", ["bad-language", "T", "not a tag!"])
        let read = try readSource(database.url)
        #expect(read.articles.count == Self.corpus.count)
        #expect(read.problems.count == 2)
        #expect(read.problems.allSatisfy { $0.file == database.url })
        #expect(read.problems.contains { $0.reason.contains("neither a title nor a body") })
        #expect(read.problems.contains { $0.reason.contains("BCP 47") })
    }

    @Test(
        "sources that can't be read are errors that say why, without the password",
        arguments: [
            ("sqlite:///nonexistent/kindred.db", "no such database file"),
            ("sqlite://relative.db", "three slashes"),
            ("ftp://host/x", "unknown scheme 'ftp'"),
            ("postgresql://reader:secret@127.0.0.1:1/news", "can't connect"),
            ("mysql://reader:secret@127.0.0.1:1/news", "can't connect"),
            ("mysql://reader:secret@127.0.0.1:1", "name the database"),
            ("not a url", "not a URL"),
        ])
    func unreadable(url: String, reason: String) {
        let error = #expect(throws: SourceError.self) { try readSource(url) }
        #expect(error?.reason.contains(reason) == true, "\(error?.description ?? "")")
        #expect(error?.description.contains("secret") == false)
    }

    @Test("a query without an id column, or one SQLite refuses, is an error")
    func badQueries() throws {
        let database = try Self.plainTable()
        let noID = #expect(throws: SourceError.self) {
            try readSource(database.url, query: "SELECT title FROM articles")
        }
        #expect(noID?.reason.contains("no 'id' column") == true)
        let broken = #expect(throws: SourceError.self) {
            try readSource(database.url, query: "SELEC nonsense")
        }
        #expect(broken?.reason.contains("the query failed") == true)
    }
}

@Suite("SQLite as a sync source")
struct SQLiteSyncTests {
    @Test("SQLite binds :since itself: only rows updated at or after it come back, withdrawn ones as withdrawals")
    func changesSince() throws {
        let database = try TemporaryDatabase()
        try database.execute(
            "CREATE TABLE articles (id TEXT PRIMARY KEY, title TEXT, body TEXT, updated_at TEXT, withdrawn INTEGER DEFAULT 0)"
        )
        let rows: [[Any?]] = [
            ["old", "Old", "Old news", "2026-11-26 10:00:00", 0],
            ["same-second", "Same", "Same second as since", "2026-11-26 12:00:00", 0],
            ["new", "New", "New news", "2026-11-26 12:30:00", 0],
            ["gone", "Gone", "Withdrawn", "2026-11-26 13:00:00", 1],
        ]
        for row in rows { try database.insert("INSERT INTO articles VALUES (?, ?, ?, ?, ?)", row) }
        let feed = try DatabaseChangeFeed(
            url: SourceURL(database.url), query: "SELECT * FROM articles WHERE updated_at >= :since ORDER BY id")
        let since = try #require(DatabaseTimestamp.parse("2026-11-26 12:00:00.400"))
        let read = try feed.changes(since: since)
        #expect(read.changes.map(\.id) == ["gone", "new", "same-second"])
        #expect(read.changes.first?.operation == .withdraw)
        #expect(read.newest == DatabaseTimestamp.parse("2026-11-26 13:00:00"))
        let clock = try feed.now()
        #expect(abs(clock.timeIntervalSinceNow) < 60)
    }
}
