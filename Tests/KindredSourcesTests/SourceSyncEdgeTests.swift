import DatabaseTestSupport
import Foundation
import KindredEngine
import KindredServer
import Logging
import Testing

@testable import KindredSources

/// The sync's edge cases that used to lose changes silently, on the real databases.
extension SourceSyncTests {
    @Test("MariaDB: a BIT(1) withdrawn column withdraws, and a second edit in the same DATETIME second is applied")
    func bitAndSameSecond() async throws {
        let setup = try Setup()
        let database = try ServerDatabase(.mysql)
        try database.run(
            """
            CREATE TABLE posts (id varchar(200) PRIMARY KEY, title text, body text, updated_at datetime NOT NULL,
              withdrawn bit(1) NOT NULL DEFAULT b'0')
            """)
        let store = try setup.store()
        let sync = SourceSync(
            store: store,
            feed: try DatabaseChangeFeed(
                url: SourceURL(database.url), query: "SELECT * FROM posts WHERE updated_at >= :since"),
            interval: 1, overlap: 2, logger: Logger(label: "test"))
        try await sync.syncOnce()
        let second = "DATE_ADD(UTC_TIMESTAMP(), INTERVAL 1 SECOND)"
        try database.run(
            "INSERT INTO posts VALUES (?, 'Leica and Xiaomi renew', ?, \(second), b'0')",
            [Self.scoop.id, Self.scoop.body])
        try await sync.syncOnce()
        #expect(store.current.metadata(of: Self.scoop.id)?.title == "Leica and Xiaomi renew")
        // An editor fixes the title within the same second: DATETIME keeps the same updated_at.
        try database.run("UPDATE posts SET title = 'Leica and Xiaomi renew their deal', updated_at = updated_at")
        try await sync.syncOnce()
        #expect(store.current.metadata(of: Self.scoop.id)?.title == "Leica and Xiaomi renew their deal")
        try database.run("UPDATE posts SET withdrawn = b'1', updated_at = \(second)")
        try await sync.syncOnce()
        #expect(store.current.metadata(of: Self.scoop.id) == nil, "BIT(1) b'1' read as not withdrawn")
        #expect(sync.currentStatus.deleted == 1)
    }

    @Test("a row dated 9999-12-31 is applied and reported, and the changes after it are still synced")
    func futureRow() async throws {
        let setup = try Setup()
        let store = try setup.store()
        let sync = try setup.sync(store)
        try await sync.syncOnce()
        try setup.database.run(
            "UPDATE articles SET title = 'Dated in the future', updated_at = '9999-12-31 00:00:00+00' WHERE id = 'cop30-belem-outcome'"
        )
        try await sync.syncOnce()
        #expect(store.current.metadata(of: "cop30-belem-outcome")?.title == "Dated in the future")
        let status = sync.currentStatus
        #expect(status.futureRows == 1)
        let watermark = try #require(status.watermark.flatMap(RFC3339.parse))
        #expect(watermark < Date().addingTimeInterval(60), "the watermark passed the clock: \(watermark)")
        try setup.database.put(Self.scoop)
        try await sync.syncOnce()
        #expect(store.current.metadata(of: Self.scoop.id) != nil, "a change after the future row was not synced")
        #expect(try setup.journal().count == 2, "the future row was applied again")
    }

    @Test("a batch larger than the journal's room is applied in parts across reindexes; nothing is lost")
    func batchLargerThanJournal() async throws {
        let setup = try Setup()
        let store = try ModelStore(directory: setup.directory, logger: Logger(label: "test"), maximumJournalEntries: 3)
        let sync = try setup.sync(store)
        try await sync.syncOnce()
        let changed = Array(Self.corpus.prefix(7))
        for article in changed {
            var edited = article
            edited.title = "Edited: " + article.title
            try setup.database.put(edited)
        }
        /// The nightly reindex: the journal absorbed into a new model, then a reload.
        func reindex() async throws {
            let entries = try setup.journal()
            let model = try ModelBuilder().build(
                Journal.apply(entries, to: Self.corpus), journalSequence: entries.map(\.sequence).max()
            ).model
            try ModelDirectory(path: setup.directory).publish(model)
            _ = try await store.reload()
        }
        try await sync.syncOnce()
        #expect(sync.currentStatus.upserted == 3 && sync.currentStatus.waiting == 4)
        await #expect(throws: ModelStore.JournalFull.self) { try await sync.syncOnce() }
        try await reindex()
        try await sync.syncOnce()
        try await reindex()
        try await sync.syncOnce()
        #expect(sync.currentStatus.waiting == 0)
        for article in changed {
            #expect(store.current.metadata(of: article.id)?.title == "Edited: " + article.title, "\(article.id)")
        }
    }
}
