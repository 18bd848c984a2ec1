import DatabaseTestSupport
import Foundation
import KindredEngine
import KindredServer
import Logging
import Testing

@testable import KindredSources

/// `kindred serve --source --sync-query` on a real PostgreSQL and MariaDB: a model built from the
/// sample corpus, the same corpus in the database, and the changes made there reaching the store.
@Suite("sync from a source database", .enabled(if: TestServers.available), .serialized)
struct SourceSyncTests {
    static let corpus = SQLiteSourceTests.corpus
    static let plainSync = "SELECT * FROM articles WHERE updated_at >= :since"

    /// A model directory built from the corpus, and the corpus in a plain table whose rows were
    /// last updated an hour ago (before any sync's watermark).
    struct Setup {
        let directory: String
        let database: ServerDatabase
        let url: SourceURL

        init(_ kind: ServerDatabase.Kind = .postgresql) throws {
            directory =
                FileManager.default.temporaryDirectory.appendingPathComponent("kindred-sync-\(UUID().uuidString)")
                .path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            _ = try ModelDirectory(path: directory).publish(try ModelBuilder().build(SourceSyncTests.corpus).model)
            database = try ServerDatabase.plainTable(kind, articles: SourceSyncTests.corpus)
            try database.run("UPDATE articles SET updated_at = ?", [Date().addingTimeInterval(-3600)])
            url = try SourceURL(database.url)
        }

        func store() throws -> ModelStore { try ModelStore(directory: directory, logger: Logger(label: "test")) }

        func sync(_ store: ModelStore, query: String = SourceSyncTests.plainSync, interval: Double = 1) throws
            -> SourceSync
        {
            SourceSync(
                store: store, feed: try DatabaseChangeFeed(url: url, query: query), interval: interval, overlap: 2,
                logger: Logger(label: "test"))
        }

        func journal() throws -> [JournalEntry] {
            try Journal.read(path: (directory as NSString).appendingPathComponent(Journal.fileName)).entries
        }
    }

    static func related(_ store: ModelStore, _ id: String) throws -> [String] {
        try store.current.related(to: id, query: RelatedQuery(k: 5)).results.map(\.article.id)
    }

    static let scoop = Article(
        id: "leica-xiaomi-renewal", title: "Leica and Xiaomi renew their red dot camera partnership",
        body:
            "Xiaomi will keep the Leica red dot on its 17 Ultra phones: the camera partnership between Leica and Xiaomi is renewed for the global 17 series.",
        language: "en")

    @Test("an inserted row is served within two intervals, an updated one re-ranked, a withdrawn one gone")
    func insertUpdateWithdraw() async throws {
        let setup = try Setup()
        let store = try setup.store()
        let sync = try setup.sync(store, interval: 1)
        let running = Task { try await sync.run() }
        defer { running.cancel() }
        try await Task.sleep(for: .milliseconds(300))  // the first sync sets the watermark

        func eventually(_ what: String, _ check: () throws -> Bool) async throws {
            let start = ContinuousClock.now
            while !(try check()) {
                #expect(ContinuousClock.now - start < .seconds(2), "\(what) within two intervals")
                if ContinuousClock.now - start > .seconds(4) { return }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        try setup.database.put(Self.scoop)
        try await eventually("the inserted article") {
            try Self.related(store, "leica-red-dot-leitzphone").contains(Self.scoop.id)
        }

        var rewritten = try #require(Self.corpus.first { $0.id == "football-derby-result" })
        rewritten.title = "Leica red dot on the Xiaomi 17 Ultra camera"
        rewritten.body = Self.scoop.body
        #expect(try !Self.related(store, "leica-red-dot-leitzphone").contains(rewritten.id))
        try setup.database.put(rewritten)
        try await eventually("the updated article") {
            try Self.related(store, "leica-red-dot-leitzphone").contains(rewritten.id)
        }

        let gone = try #require(Self.corpus.first { $0.id == "xiaomi-17-ultra-launch" })
        try setup.database.put(gone, withdrawn: true)
        try await eventually("the withdrawal") { store.current.metadata(of: gone.id) == nil }
        #expect(try !Self.related(store, "leica-red-dot-leitzphone").contains(gone.id))

        // The index changes inside the sync, its counters just after: wait for them.
        try await eventually("the sync's counters") { sync.currentStatus.deleted == 1 }
        let status = sync.currentStatus
        #expect(status.upserted == 2 && status.deleted == 1 && status.errors == 0, "\(status)")
        #expect(status.source.contains(":***@") && !status.source.contains("kindred-test-secret"))
    }

    @Test("a server restarted between syncs misses nothing and applies nothing twice")
    func restart() async throws {
        let setup = try Setup()
        do {
            let store = try setup.store()
            try await setup.sync(store).syncOnce()
            try setup.database.put(Self.scoop)
            try await setup.sync(store).syncOnce()
        }
        #expect(try setup.journal().count == 1)
        // Down: a change, a withdrawal, and a row sharing the last applied row's second.
        var edited = try #require(Self.corpus.first { $0.id == "xiaomi-tag-find-my" })
        edited.title = "Xiaomi Tag: a tracker for both phone worlds"
        try setup.database.put(edited)
        try setup.database.put(try #require(Self.corpus.first { $0.id == "football-derby-result" }), withdrawn: true)
        try setup.database.run(
            "UPDATE articles SET updated_at = (SELECT updated_at FROM articles WHERE id = ?) WHERE id = ?",
            [Self.scoop.id, "cop30-belem-outcome"])

        let store = try setup.store()
        #expect(store.current.metadata(of: Self.scoop.id) != nil)  // replayed from the journal
        try await setup.sync(store).syncOnce()
        let entries = try setup.journal()
        #expect(entries.count == 4, "\(entries.map(\.operation))")
        #expect(store.current.metadata(of: "xiaomi-tag-find-my")?.title == edited.title)
        #expect(store.current.metadata(of: "football-derby-result") == nil)
        try await setup.sync(store).syncOnce()
        #expect(try setup.journal().count == 4)
    }

    @Test("a database that goes away fails the sync, not the reads; it catches up when back")
    func databaseDown() async throws {
        let setup = try Setup()
        // A login of its own, so the outage can be made by refusing it.
        let role = "syncer_" + UUID().uuidString.prefix(6).lowercased()
        try setup.database.run("CREATE ROLE \(role) LOGIN PASSWORD 'syncer-secret'")
        try setup.database.run("GRANT SELECT ON articles TO \(role)")
        var components = try #require(URLComponents(string: setup.database.url))
        (components.user, components.password) = (role, "syncer-secret")
        let store = try setup.store()
        let sync = SourceSync(
            store: store,
            feed: try DatabaseChangeFeed(url: SourceURL(try #require(components.string)), query: Self.plainSync),
            interval: 1, overlap: 2, logger: Logger(label: "test"))
        try await sync.syncOnce()

        try setup.database.run("ALTER ROLE \(role) NOLOGIN")
        try setup.database.put(Self.scoop)
        await #expect(throws: SourceError.self) { try await sync.syncOnce() }
        await #expect(throws: SourceError.self) { try await sync.syncOnce() }
        let failing = sync.currentStatus
        #expect(failing.errors == 2 && failing.consecutiveErrors == 2)
        #expect(failing.lastError?.contains("can't connect") == true && failing.lastError?.contains("***") == true)
        #expect(try Self.related(store, "leica-red-dot-leitzphone").count == 5)

        try setup.database.run("ALTER ROLE \(role) LOGIN")
        try await sync.syncOnce()
        #expect(sync.currentStatus.consecutiveErrors == 0 && sync.currentStatus.upserted == 1)
        #expect(try Self.related(store, "leica-red-dot-leitzphone").contains(Self.scoop.id))
    }

    @Test("a blank row is skipped and counted, and the watermark moves past it")
    func blankRow() async throws {
        let setup = try Setup()
        let store = try setup.store()
        let sync = try setup.sync(store)
        try await sync.syncOnce()
        try setup.database.run("INSERT INTO articles (id, title, body) VALUES ('blank', NULL, NULL)")
        try setup.database.put(Self.scoop)
        try await sync.syncOnce()
        #expect(sync.currentStatus.skipped == 1 && sync.currentStatus.upserted == 1)
        let state = try #require(try ModelDirectory(path: setup.directory).syncState())
        #expect(state.recent.keys.contains(Self.scoop.id))
        // The overlap reads the blank row again: it is counted once.
        try await sync.syncOnce()
        #expect(sync.currentStatus.skipped == 1)
    }

    @Test("a sync query without :since, or without updated_at, is refused with the fix")
    func badSyncQueries() async throws {
        let setup = try Setup()
        let noPlaceholder = #expect(throws: SourceError.self) {
            try DatabaseChangeFeed(url: setup.url, query: "SELECT * FROM articles")
        }
        #expect(noPlaceholder?.reason.contains(":since") == true)
        let inString = #expect(throws: SourceError.self) {
            try DatabaseChangeFeed(url: setup.url, query: "SELECT * FROM articles WHERE title <> ':since'")
        }
        #expect(inString != nil)
        let feed = try DatabaseChangeFeed(
            url: setup.url, query: "SELECT id, title FROM articles WHERE updated_at >= :since")
        let noUpdatedAt = #expect(throws: SourceError.self) { try feed.changes(since: Date(timeIntervalSince1970: 0)) }
        #expect(noUpdatedAt?.reason.contains("no 'updated_at' column") == true)
    }

    @Test("WordPress on MariaDB through the documented sync query: an edit is a PUT, a trashed post a DELETE")
    func wordPressSync() throws {
        let database = try wordPress(Self.corpus)
        let feed = try DatabaseChangeFeed(
            url: SourceURL(database.url), query: DocumentedQueries.named("wordpress: sync"))
        let before = try feed.now().addingTimeInterval(-1)
        try database.run("UPDATE wp_posts SET post_modified_gmt = '2020-01-01 00:00:00'")
        try database.run("UPDATE wp_posts SET post_title = 'Edited', post_modified_gmt = UTC_TIMESTAMP() WHERE ID = 3")
        try database.run(
            "UPDATE wp_posts SET post_status = 'trash', post_name = CONCAT(post_name, '__trashed'), post_modified_gmt = UTC_TIMESTAMP() WHERE ID = 4"
        )
        let read = try feed.changes(since: before)
        #expect(read.problems.isEmpty, "\(read.problems)")
        let byID = Dictionary(uniqueKeysWithValues: read.changes.map { ($0.id, $0.operation) })
        #expect(byID.count == 2)
        guard case .put(let edited)? = byID["3"] else {
            Issue.record("post 3 is not a PUT: \(String(describing: byID["3"]))")
            return
        }
        let article = edited.article
        #expect(
            article.title == "Edited" && article.tags == Self.corpus[2].tags
                && article.section == Self.corpus[2].section)
        #expect(byID["4"] == .withdraw)
    }
}

@Suite("sync watermark")
struct SyncStateTests {
    static func change(_ id: String, _ seconds: Double, title: String = "First version") -> SourceChange {
        SourceChange(
            id: id, updatedAt: Date(timeIntervalSince1970: seconds),
            operation: .put(ReceivedArticle(text: Article(id: id, title: title, body: "Body of \(id)"))))
    }

    @Test("rows in the watermark's second, or committed late within the overlap, are applied once")
    func admit() {
        var state = SyncState(watermark: Date(timeIntervalSince1970: 100))
        var read = SourceChanges()
        read.changes = [Self.change("a", 100), Self.change("b", 100.5)]
        #expect(state.admit(read, overlap: 5).map(\.id) == ["a", "b"])
        #expect(state.watermark == Date(timeIntervalSince1970: 100.5))
        #expect(state.since(overlap: 5) == Date(timeIntervalSince1970: 95.5))
        // The next read returns them again (updated_at >= since), plus one in the same second and
        // one a late transaction gave an earlier time.
        read.changes = [Self.change("a", 100), Self.change("b", 100.5), Self.change("c", 100.5), Self.change("d", 97)]
        #expect(state.admit(read, overlap: 5).map(\.id) == ["d", "c"])
        // A new version of an applied row is applied; the same content with a new time is not.
        read.changes = [Self.change("a", 101, title: "Second version"), Self.change("b", 101)]
        #expect(state.admit(read, overlap: 5).map(\.id) == ["a"])
        // A second edit in the same second (a DATETIME column's clock) is a new version too.
        read.changes = [Self.change("a", 101, title: "Third version")]
        #expect(state.admit(read, overlap: 5).map(\.id) == ["a"])
        // Versions older than the overlap are forgotten.
        read.changes = [Self.change("e", 200)]
        _ = state.admit(read, overlap: 5)
        #expect(state.recent.keys.sorted() == ["e"])
        #expect(state.recent["e"]?.updatedAt == Date(timeIntervalSince1970: 200))
    }

    @Test("the watermark never passes the source's clock: a row from the future hides no later change")
    func futureRows() {
        var state = SyncState(watermark: Date(timeIntervalSince1970: 100))
        var read = SourceChanges()
        read.readAt = Date(timeIntervalSince1970: 110)
        read.changes = [Self.change("doomsday", 253_402_214_400), Self.change("a", 105)]
        let fresh = state.pending(read)
        #expect(fresh.map(\.id) == ["a", "doomsday"])
        let future = state.record(fresh, of: read, complete: true, overlap: 5)
        #expect(future.map(\.id) == ["doomsday"])
        #expect(state.watermark == Date(timeIntervalSince1970: 110))
        // The next read sees the future row again (not applied twice) and a later edit of "a".
        read.readAt = Date(timeIntervalSince1970: 120)
        read.changes = [Self.change("doomsday", 253_402_214_400), Self.change("a", 115, title: "Later")]
        #expect(state.admit(read, overlap: 5).map(\.id) == ["a"])
        #expect(state.watermark == Date(timeIntervalSince1970: 120))
    }

    @Test("a batch applied in part moves the watermark to its last applied row only")
    func partial() {
        var state = SyncState(watermark: Date(timeIntervalSince1970: 100))
        var read = SourceChanges()
        read.readAt = Date(timeIntervalSince1970: 200)
        read.changes = (0..<10).map { Self.change("row-\($0)", 101 + Double($0)) }
        let fresh = state.pending(read)
        state.record(Array(fresh.prefix(4)), of: read, complete: false, overlap: 5)
        #expect(state.watermark == Date(timeIntervalSince1970: 104))
        // Read again from the watermark less the overlap: the six left are the ones pending.
        #expect(state.pending(read).map(\.id) == (4..<10).map { "row-\($0)" })
    }

    @Test("a state written before content digests reads, and applies its rows once more")
    func olderState() throws {
        let json = #"{"recent":{"x":1795702200.25},"watermark":1795702201.5}"#
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        let state = try decoder.decode(SyncState.self, from: Data(json.utf8))
        #expect(state.recent["x"]?.digest == nil)
        var read = SourceChanges()
        read.changes = [Self.change("x", 1_795_702_200.25)]
        #expect(state.pending(read).map(\.id) == ["x"])
    }

    @Test("the state survives a write and a read, and an unreadable file is an error, never a reset")
    func durable() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "kindred-state-\(UUID().uuidString)"
        )
        .path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(try ModelDirectory(path: directory).syncState() == nil)
        let x = Self.change("x", 1_795_702_200.25)
        let state = SyncState(
            watermark: Date(timeIntervalSince1970: 1_795_702_201.467531),
            recent: ["x": .init(updatedAt: x.updatedAt, digest: x.digest)])
        try ModelDirectory(path: directory).write(state)
        let reread = try #require(try ModelDirectory(path: directory).syncState())
        #expect(reread.watermark == state.watermark && reread.recent["x"]?.digest == x.digest)
        // A version read back from the file is still recognised as applied.
        var read = SourceChanges()
        read.changes = [x]
        #expect(reread.pending(read).isEmpty)
        try Data("{".utf8).write(to: URL(fileURLWithPath: directory + "/" + SyncState.fileName))
        #expect(throws: ModelFileError.self) { try ModelDirectory(path: directory).syncState() }
    }
}

/// A feed whose database is always down, counting the attempts.
final class FailingFeed: ChangeFeed, @unchecked Sendable {
    let name = "postgresql://reader:***@db.internal/news"
    private let lock = NSLock()
    private var times: [ContinuousClock.Instant] = []
    var attempts: [ContinuousClock.Instant] { lock.withLock { times } }

    func changes(since: Date) throws -> SourceChanges {
        lock.withLock { times.append(.now) }
        throw SourceError(source: name, reason: "can't connect: connection refused")
    }

    func now() throws -> Date {
        lock.withLock { times.append(.now) }
        throw SourceError(source: name, reason: "can't connect: connection refused")
    }
}

@Test("a source that keeps failing is retried with doubling waits up to five minutes, and the status says so")
func backoff() async throws {
    #expect((1...6).map { SourceSync.retryDelay(failures: $0, interval: 30) } == [60, 120, 240, 300, 300, 300])
    #expect(SourceSync.retryDelay(failures: 3, interval: 0.1) == 0.8)
    #expect(SourceSync.retryDelay(failures: 40, interval: 600) == 600)

    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "kindred-backoff-\(UUID().uuidString)"
    )
    .path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    _ = try ModelDirectory(path: directory).publish(try ModelBuilder().build(SQLiteSourceTests.corpus).model)
    let store = try ModelStore(directory: directory, logger: Logger(label: "test"))
    let feed = FailingFeed()
    let sync = SourceSync(store: store, feed: feed, interval: 0.05, overlap: 0, logger: Logger(label: "test"))
    let running = Task { try await sync.run() }
    for _ in 0..<600 where sync.currentStatus.consecutiveErrors < 3 { try await Task.sleep(for: .milliseconds(50)) }
    running.cancel()
    let status = sync.currentStatus
    #expect(status.consecutiveErrors >= 3 && status.errors == status.consecutiveErrors && status.lastSuccessAt == nil)
    #expect(status.lastError?.contains("connection refused") == true)
    #expect(store.current.articleCount == SQLiteSourceTests.corpus.count)
}
