import DatabaseTestSupport
import Foundation
import KindredEngine
import Testing

@testable import KindredSources

@Test("the database servers are running when CI runs the tests")
func databaseServersRunUnderCI() {
    if TestServers.environment["CI"] == "true" {
        #expect(TestServers.available, "scripts/test.sh starts PostgreSQL and MariaDB (scripts/databases.sh)")
    }
}

/// The SQL blocks of docs/sources.md, by their first line (`-- wordpress: sync` → its text), so
/// that the queries the docs give are the ones tested.
enum DocumentedQueries {
    static let all: [String: String] = {
        let path = SQLiteSourceTests.root.appendingPathComponent("docs/sources.md").path
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        var queries: [String: String] = [:]
        for block in text.components(separatedBy: "```sql\n").dropFirst() {
            let sql = block.components(separatedBy: "\n```").first ?? ""
            let lines = sql.split(separator: "\n", maxSplits: 1)
            guard let first = lines.first, first.hasPrefix("-- "), lines.count == 2 else { continue }
            queries[String(first.dropFirst(3))] = String(lines[1])
        }
        return queries
    }()

    static func named(_ name: String) throws -> String {
        try #require(all[name], "docs/sources.md has no '-- \(name)'")
    }
}

/// The sample corpus in WordPress's tables on MariaDB: posts (ID in corpus order, the body as
/// `post_content`), categories, tags and Polylang's language taxonomy.
func wordPress(_ articles: [Article]) throws -> ServerDatabase {
    let database = try ServerDatabase(.mysql)
    try database.run(
        """
        CREATE TABLE wp_posts (ID bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
          post_date_gmt datetime NOT NULL DEFAULT '0000-00-00 00:00:00', post_content longtext NOT NULL,
          post_title text NOT NULL, post_status varchar(20) NOT NULL DEFAULT 'publish',
          post_name varchar(200) NOT NULL DEFAULT '', post_modified_gmt datetime NOT NULL DEFAULT '0000-00-00 00:00:00',
          guid varchar(255) NOT NULL DEFAULT '', post_type varchar(20) NOT NULL DEFAULT 'post')
        """)
    try database.run(
        "CREATE TABLE wp_terms (term_id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, name varchar(200) NOT NULL, slug varchar(200) NOT NULL)"
    )
    try database.run(
        "CREATE TABLE wp_term_taxonomy (term_taxonomy_id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, term_id bigint unsigned NOT NULL, taxonomy varchar(32) NOT NULL)"
    )
    try database.run(
        "CREATE TABLE wp_term_relationships (object_id bigint unsigned NOT NULL, term_taxonomy_id bigint unsigned NOT NULL, term_order int NOT NULL DEFAULT 0, PRIMARY KEY (object_id, term_taxonomy_id))"
    )
    var terms: [String: Int] = [:]
    func term(_ name: String, _ taxonomy: String) throws -> Int {
        let key = taxonomy + "\u{0}" + name
        if let id = terms[key] { return id }
        try database.run("INSERT INTO wp_terms (name, slug) VALUES (?, ?)", [name, name.lowercased()])
        try database.run(
            "INSERT INTO wp_term_taxonomy (term_id, taxonomy) VALUES ((SELECT MAX(term_id) FROM wp_terms), ?)",
            [taxonomy])
        terms[key] = terms.count + 1
        return terms.count
    }
    for (i, article) in articles.enumerated() {
        try database.run(
            "INSERT INTO wp_posts (ID, post_date_gmt, post_content, post_title, post_name, post_modified_gmt, guid) VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(), ?)",
            [i + 1, article.publishedAt, article.body, article.title, article.id, article.url ?? ""])
        var related: [(Int, Int)] = []
        if let section = article.section { related.append((try term(section, "category"), 0)) }
        related.append((try term(article.language, "language"), 0))
        for (order, tag) in article.tags.enumerated() { related.append((try term(tag, "post_tag"), order)) }
        for (taxonomy, order) in related {
            try database.run(
                "INSERT INTO wp_term_relationships (object_id, term_taxonomy_id, term_order) VALUES (?, ?, ?)",
                [i + 1, taxonomy, order])
        }
    }
    return database
}

@Suite("PostgreSQL and MariaDB as article sources", .enabled(if: TestServers.available), .serialized)
struct ServerSourceTests {
    static let corpus = SQLiteSourceTests.corpus
    static let corpusModel = try! ModelBuilder().build(corpus).model

    @Test(
        "a plain articles table gives the corpus's articles, and so the same model and lists",
        arguments: [ServerDatabase.Kind.postgresql, .mysql])
    func plainTable(kind: ServerDatabase.Kind) throws {
        let database = try ServerDatabase.plainTable(kind, articles: Self.corpus)
        let read = try readSource(database.url)
        #expect(read.problems.isEmpty && read.lines == Self.corpus.count)
        let byID = Dictionary(uniqueKeysWithValues: read.articles.map { ($0.id, $0) })
        for article in Self.corpus { #expect(byID[article.id] == article, "\(article.id)") }
        let model = try ModelBuilder().build(Self.corpus.compactMap { byID[$0.id] }).model
        for article in Self.corpus {
            #expect(try model.related(to: article.id, k: 5) == Self.corpusModel.related(to: article.id, k: 5))
        }
    }

    @Test("WordPress's tables through the documented query: the corpus's articles under post IDs, the same lists")
    func wordPressTables() throws {
        let database = try wordPress(Self.corpus)
        let read = try readSource(database.url, query: DocumentedQueries.named("wordpress: reindex"))
        #expect(read.problems.isEmpty, "\(read.problems)")
        #expect(read.articles.map(\.id) == Self.corpus.indices.map { String($0 + 1) })
        let slug = Dictionary(
            uniqueKeysWithValues: Self.corpus.enumerated().map { (String($0.offset + 1), $0.element.id) })
        for (article, original) in zip(read.articles, Self.corpus) {
            var renamed = article
            renamed.id = original.id
            #expect(renamed == original, "post \(article.id)")
        }
        let model = try ModelBuilder().build(read.articles).model
        for (i, article) in Self.corpus.enumerated() {
            let lists = try model.related(to: String(i + 1), k: 5).map { slug[$0.article.id] }
            #expect(lists == (try Self.corpusModel.related(to: article.id, k: 5).map(\.article.id)))
        }
    }

    @Test(
        "a wrong password and an unreachable host are errors naming the source, never the password",
        arguments: [ServerDatabase.Kind.postgresql, .mysql])
    func unreachable(kind: ServerDatabase.Kind) throws {
        let server = try #require(kind == .postgresql ? TestServers.postgreSQL : TestServers.mySQL)
        var wrong = try #require(URLComponents(string: server))
        wrong.password = "not-the-password"
        let refused = #expect(throws: SourceError.self) { try readSource(wrong.string ?? "") }
        #expect(refused?.reason.contains("can't connect") == true, "\(refused?.description ?? "")")
        #expect(refused?.source.contains(":***@127.0.0.1") == true)
        #expect(refused?.description.contains("not-the-password") == false)
        var closed = wrong
        closed.port = 1
        let unreachable = #expect(throws: SourceError.self) { try readSource(closed.string ?? "") }
        #expect(unreachable?.reason.contains("can't connect") == true, "\(unreachable?.description ?? "")")
        #expect(unreachable?.description.contains("not-the-password") == false)
    }

    @Test(
        "a query without id, a failing query and a row with neither title nor body say what is wrong",
        arguments: [ServerDatabase.Kind.postgresql, .mysql])
    func badQueriesAndRows(kind: ServerDatabase.Kind) throws {
        let database = try ServerDatabase.plainTable(kind, articles: Array(Self.corpus.prefix(5)))
        let noID = #expect(throws: SourceError.self) {
            try readSource(database.url, query: "SELECT title, body FROM articles")
        }
        #expect(noID?.reason.contains("no 'id' column") == true)
        #expect(noID?.reason.contains("columns: title, body") == true)
        let broken = #expect(throws: SourceError.self) { try readSource(database.url, query: "SELECT * FROM nowhere") }
        #expect(broken?.reason.contains("the query failed") == true, "\(broken?.description ?? "")")
        try database.run(
            "INSERT INTO articles (id, title, body, updated_at) VALUES ('blank', NULL, NULL, CURRENT_TIMESTAMP)")
        let read = try readSource(database.url, query: "SELECT * FROM articles ORDER BY id")
        #expect(read.articles.count == 5)
        let problem = try #require(read.problems.first)
        #expect(
            read.problems.count == 1
                && problem.file == database.url.replacingOccurrences(of: "kindred-test-secret", with: "***"))
        #expect(problem.description.contains("'blank' has neither a title nor a body"), "\(problem)")
    }

    @Test(
        "a database that goes away mid-read is an error, not a short corpus",
        arguments: [ServerDatabase.Kind.postgresql, .mysql])
    func killedMidRead(kind: ServerDatabase.Kind) async throws {
        let database = try ServerDatabase.plainTable(kind, articles: Array(Self.corpus.prefix(40)))
        // Each row takes 100 ms, so the read is still going when its connection is killed.
        let slow =
            kind == .postgresql
            ? "SELECT a.*, pg_sleep(0.1) AS pause FROM articles a" : "SELECT a.*, SLEEP(0.1) AS pause FROM articles a"
        // Waits for the read to be running, then kills its connection from another one. On a
        // thread of its own: as a task it could wait for a thread of the concurrency pool for as
        // long as the read lasts, when the tests running beside this one hold the others.
        let find =
            kind == .postgresql
            ? "SELECT pid FROM pg_stat_activity WHERE query LIKE '%pg_sleep(0.1)%' AND pid <> pg_backend_pid() AND state = 'active'"
            : "SELECT id FROM information_schema.processlist WHERE info LIKE '%SLEEP(0.1)%' AND id <> CONNECTION_ID()"
        let killed = KillerOutcome()
        let killer = Thread {
            killed.finish {
                for _ in 0..<400 {
                    if let victim = try database.value(find) {
                        try database.run(
                            kind == .postgresql ? "SELECT pg_terminate_backend(\(victim))" : "KILL CONNECTION \(victim)"
                        )
                        return true
                    }
                    Thread.sleep(forTimeInterval: 0.025)
                }
                return false
            }
        }
        killer.start()
        let url = database.url
        let error = await #expect(throws: SourceError.self) {
            try await Task.detached { _ = try readSource(url, query: slow) }.value
        }
        #expect(try await Task.detached { try killed.wait() }.value, "the read never showed up on the server")
        #expect(error?.reason.contains("failed") == true, "\(error?.description ?? "")")
    }
}

/// What the killer thread of `killedMidRead` found, handed to the test when it is done.
final class KillerOutcome: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<Bool, any Error> = .success(false)

    /// Runs `body` and keeps its result (written before `done` is signalled, read after it waits).
    func finish(_ body: () throws -> Bool) {
        result = Result { try body() }
        done.signal()
    }

    /// Blocks until `finish` has run; its result.
    func wait() throws -> Bool {
        done.wait()
        return try result.get()
    }
}
