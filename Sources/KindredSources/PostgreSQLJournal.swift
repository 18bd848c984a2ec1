import Foundation
import KindredEngine

/// The journal replicas share, in PostgreSQL (`--journal postgresql://…`): four tables Kindred
/// creates on first use, `kindred_journal` (the writes), `kindred_overrides` (the editorial
/// overrides), `kindred_models` (the versions published) and `kindred_identity` (the journal's
/// name, which models built from it record), and one NOTIFY channel, `kindred`.
///
/// **Order.** A sequence's values are handed out in call order, not commit order: a writer that
/// took 7 and commits after the writer that took 8 would be skipped by a reader that had already
/// moved past 8. Every write therefore takes one transaction-scoped advisory lock before its
/// `INSERT`, and holds it until its `COMMIT`: sequences are then committed in order, and a reader
/// that has seen N has seen everything below it (a gap is a rolled-back write, never a late one).
/// The lock costs one round trip per write; writes are a few per second in a newsroom.
///
/// Each replica keeps two connections: one for statements (behind a lock, reopened after a
/// failure) and one that LISTENs.
public final class PostgreSQLJournal: ChangeJournal, @unchecked Sendable {
    public let url: SourceURL
    public var name: String { url.redacted }
    public var isShared: Bool { true }
    /// Statements; opened with the tables created when missing.
    private let statements: ReusableConnection
    /// LISTENs on `channel`.
    private let listener: ReusableConnection

    /// The advisory lock keys: writers, schema creation, reindexes (`pg_advisory_lock` takes any
    /// bigint; these spell "KINDRED" in spirit and collide with nothing of Kindred's).
    static let writerLock = "7212001"
    static let schemaLock = "7212002"
    static let reindexLock = "7212003"
    static let channel = "kindred"
    /// Seconds to wait for a connection unless the URL says otherwise: a write waits this long
    /// before its 503 when the database is away.
    static let connectTimeout = "3"

    public init(url: SourceURL) throws {
        guard url.scheme == .postgresql else {
            throw SourceError(source: url.redacted, reason: "a shared journal is a postgresql:// URL")
        }
        self.url = url
        statements = ReusableConnection {
            let connection = try PostgreSQLConnection(url, connectTimeout: Self.connectTimeout)
            try Self.createSchema(connection)
            return connection
        }
        listener = ReusableConnection {
            let connection = try PostgreSQLConnection(url, connectTimeout: Self.connectTimeout)
            try connection.execute("LISTEN \(Self.channel)")
            return connection
        }
    }

    /// Runs `work` on the statement connection, opening it (and the tables) when needed; a failed
    /// connection is dropped so that the next call opens a new one.
    private func withConnection<T>(_ work: (PostgreSQLConnection) throws -> T) throws -> T {
        try statements.use { connection in
            do {
                return try work(connection)
            } catch {
                _ = try? connection.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// Creates the tables when missing, under a lock so that replicas starting together don't race.
    private static func createSchema(_ connection: PostgreSQLConnection) throws {
        try connection.execute("BEGIN")
        try connection.execute("SELECT pg_advisory_xact_lock(\(Self.schemaLock))")
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS kindred_journal (
              seq bigserial PRIMARY KEY, article_id text NOT NULL, entry text NOT NULL,
              recorded_at timestamptz NOT NULL DEFAULT now())
            """)
        try connection.execute("CREATE SEQUENCE IF NOT EXISTS kindred_overrides_stamp")
        try connection.execute(
            "CREATE TABLE IF NOT EXISTS kindred_overrides (article_id text PRIMARY KEY, entry text NOT NULL, stamp bigint NOT NULL)"
        )
        try connection.execute("CREATE TABLE IF NOT EXISTS kindred_identity (id text PRIMARY KEY)")
        try connection.execute(
            "INSERT INTO kindred_identity SELECT gen_random_uuid()::text WHERE NOT EXISTS (SELECT 1 FROM kindred_identity)"
        )
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS kindred_models (
              id bigserial PRIMARY KEY, version text NOT NULL, absorbed bigint NOT NULL,
              published_at timestamptz NOT NULL DEFAULT now())
            """)
        try connection.execute("COMMIT")
    }

    /// One round trip for the batch: the lock, one multi-row insert, the notification and the
    /// commit. Rows of one `VALUES` list take the sequence's values in list order.
    public func append(_ drafts: [JournalEntry]) throws -> [JournalEntry] {
        guard !drafts.isEmpty else { return [] }
        return try withConnection { connection in
            let rows = try drafts.map { draft -> String in
                // The row's `seq` is the entry's sequence; the stored record holds a placeholder.
                var record = draft
                record.sequence = 1
                let text = String(decoding: try Journal.encode(record).dropLast(), as: UTF8.self)
                return "(\(try connection.literal(draft.articleID)), \(try connection.literal(text)))"
            }
            let results = try connection.executeScript(
                """
                BEGIN;
                SELECT pg_advisory_xact_lock(\(Self.writerLock));
                INSERT INTO kindred_journal (article_id, entry) VALUES \(rows.joined(separator: ", ")) RETURNING seq;
                SELECT pg_notify('\(Self.channel)', 'journal ' || currval(pg_get_serial_sequence('kindred_journal', 'seq')));
                COMMIT;
                """)
            let sequences =
                results.count == 5 ? results[2].compactMap { $0.first.flatMap { $0.flatMap { Int($0) } } } : []
            guard sequences.count == drafts.count else {
                throw SourceError(
                    source: name, reason: "the journal returned \(sequences.count) sequences for \(drafts.count) writes"
                )
            }
            return zip(drafts, sequences.sorted()).map { draft, sequence in
                var entry = draft
                entry.sequence = sequence
                return entry
            }
        }
    }

    /// Rows that can't be decoded (written by hand, or by a newer Kindred) are returned as
    /// problems and read past: one bad row must not stop every replica behind it.
    public func entries(after sequence: Int) throws -> JournalRead {
        let rows = try withConnection { connection in
            try connection.execute(
                "SELECT seq, entry FROM kindred_journal WHERE seq > $1 ORDER BY seq", [String(sequence)])
        }
        var read = JournalRead(entries: [])
        for row in rows {
            // seq is the primary key: never null.
            guard let sequence = row[0].flatMap({ Int($0) }) else { continue }
            read.last = max(read.last ?? sequence, sequence)
            do {
                var entry = try Journal.decode(Data((row[1] ?? "").utf8))
                entry.sequence = sequence
                read.entries.append(entry)
            } catch {
                read.skipped.append(Journal.Problem(sequence: sequence, reason: "\(error)"))
            }
        }
        return read
    }

    public func count(after sequence: Int) throws -> Int {
        let value = try withConnection { connection in
            try connection.value("SELECT count(*) FROM kindred_journal WHERE seq > $1", [String(sequence)])
        }
        return value.flatMap { Int($0) } ?? 0
    }

    /// Deletes every entry a later one of the same article supersedes, under the writers' lock.
    /// A replica that has not read a deleted entry yet reads the later one instead, which leaves
    /// the same article.
    public func coalesce() throws {
        try withConnection { connection in
            _ = try connection.executeScript(
                """
                BEGIN;
                SELECT pg_advisory_xact_lock(\(Self.writerLock));
                DELETE FROM kindred_journal j
                  WHERE EXISTS (SELECT 1 FROM kindred_journal k WHERE k.article_id = j.article_id AND k.seq > j.seq);
                COMMIT;
                """)
        }
    }

    public func overrides() throws -> JournalOverrides {
        let rows = try withConnection { connection in
            try connection.execute("SELECT article_id, entry, stamp FROM kindred_overrides")
        }
        var entries: [String: EditorialOverrides.Entry] = [:]
        var stamp = 0
        var skipped: [Journal.Problem] = []
        for row in rows {
            guard let id = row[0], let text = row[1] else { continue }
            stamp = max(stamp, row[2].flatMap { Int($0) } ?? 0)
            do {
                let entry = try JSONDecoder().decode(EditorialOverrides.Entry.self, from: Data(text.utf8))
                try EditorialOverrides.validate(entry, for: id)
                if !entry.isEmpty { entries[ArticleID.normalized(id)] = entry }
            } catch {
                skipped.append(
                    Journal.Problem(reason: "kindred_overrides row '\(id)' can't be read (\(error)); left out"))
            }
        }
        return JournalOverrides(overrides: EditorialOverrides(entries: entries), stamp: stamp, skipped: skipped)
    }

    public func positions() throws -> JournalPositions {
        let row = try withConnection { connection in
            try connection.execute(
                """
                SELECT (SELECT coalesce(max(seq), 0) FROM kindred_journal),
                       (SELECT coalesce(max(stamp), 0) FROM kindred_overrides),
                       (SELECT version FROM kindred_models ORDER BY id DESC LIMIT 1)
                """
            ).first
        }
        return JournalPositions(
            head: row?[0].flatMap { Int($0) } ?? 0, overridesStamp: row?[1].flatMap { Int($0) } ?? 0,
            newestModel: row?[2] ?? nil)
    }

    public func setOverrides(_ entry: EditorialOverrides.Entry?, for id: String) throws {
        // A removal is kept as an empty entry, so that the stamp still moves.
        let text = String(decoding: try JSONEncoder().encode(entry ?? .init()), as: UTF8.self)
        try withConnection { connection in
            try connection.execute("BEGIN")
            try connection.execute(
                """
                INSERT INTO kindred_overrides (article_id, entry, stamp) VALUES ($1, $2, nextval('kindred_overrides_stamp'))
                ON CONFLICT (article_id) DO UPDATE SET entry = EXCLUDED.entry, stamp = EXCLUDED.stamp
                """, [id, text])
            try connection.execute("SELECT pg_notify('\(Self.channel)', 'overrides')")
            try connection.execute("COMMIT")
        }
    }

    /// Records the version, tells the replicas, and prunes what no kept or recently announced
    /// version needs (`prune`).
    public func announce(published version: String, absorbed: Int, floor: Int, keep: Int) throws {
        try record(published: version, absorbed: absorbed)
        try prune(through: floor, keepingPublished: keep)
    }

    /// Nothing: entries are pruned when a reindex announces, knowing every replica's versions.
    public func compact(through floor: Int) {}

    public func record(published version: String, absorbed: Int) throws {
        try withConnection { connection in
            try connection.execute("BEGIN")
            try connection.execute(
                "INSERT INTO kindred_models (version, absorbed) VALUES ($1, $2)", [version, String(absorbed)])
            try connection.execute("SELECT pg_notify('\(Self.channel)', 'model')")
            try connection.execute("COMMIT")
        }
    }

    /// Drops the entries absorbed by every kept model version (`ModelDirectory`'s lowest, given)
    /// and by each of the last `published` versions recorded here: a replica still serving one of
    /// those (before it switches, or rolled back to it) replays from its sequence. Returns the
    /// sequence pruned through.
    @discardableResult
    public func prune(through sequence: Int, keepingPublished published: Int) throws -> Int {
        try withConnection { connection in
            let recorded = try connection.value(
                """
                SELECT coalesce(min(absorbed), $1) FROM
                  (SELECT absorbed FROM kindred_models ORDER BY id DESC LIMIT $2) AS kept
                """, [String(sequence), String(max(1, published))])
            let floor = min(sequence, recorded.flatMap { Int($0) } ?? 0)
            try connection.execute("DELETE FROM kindred_journal WHERE seq <= $1", [String(floor)])
            return floor
        }
    }

    public func identity() throws -> String? {
        let value = try withConnection { connection in try connection.value("SELECT id FROM kindred_identity") }
        guard let value else { throw SourceError(source: name, reason: "kindred_identity is empty") }
        return value
    }

    public func published(_ version: String, absorbed: Int) throws -> Bool {
        try withConnection { connection in
            try connection.value(
                "SELECT count(*) FROM kindred_models WHERE version = $1 AND absorbed = $2", [version, String(absorbed)])
                != "0"
        }
    }

    /// The newest `limit` versions `record(published:absorbed:)` recorded, newest first.
    public func recentlyPublished(limit: Int) throws -> [String] {
        try withConnection { connection in
            try connection.execute(
                "SELECT version FROM kindred_models ORDER BY id DESC LIMIT $1", [String(limit)]
            ).compactMap { $0[0] }
        }
    }

    public func waitForNews(timeout: Double) -> JournalNews {
        do {
            return try listener.use { connection in
                var news = JournalNews()
                for payload in try connection.waitForNotifications(timeout: timeout) {
                    let words = payload.split(separator: " ")
                    switch words.first {
                    case "journal":
                        news.journal = true
                        let sequence = words.count > 1 ? Int(words[1]) ?? 0 : 0
                        news.latestSequence = max(news.latestSequence, sequence)
                    case "overrides": news.overrides = true
                    case "model": news.model = true
                    default: news = JournalNews(journal: true, overrides: true, model: true)
                    }
                }
                return news
            }
        } catch {
            // The database is away: wait as long as a notification could have taken, then let the
            // caller's poll find out (and report) what is wrong.
            Thread.sleep(forTimeInterval: timeout)
            return JournalNews()
        }
    }

    /// Holds the reindex lock for as long as the returned object lives: a second `reindex
    /// --journal` on the same journal fails at once instead of publishing over the first.
    public final class ReindexLock {
        let connection: PostgreSQLConnection

        init(_ connection: PostgreSQLConnection) { self.connection = connection }

        deinit { _ = try? connection.execute("SELECT pg_advisory_unlock(\(PostgreSQLJournal.reindexLock))") }
    }

    /// Takes the reindex lock, or fails saying that another reindex holds it.
    public func lockForReindex() throws -> AnyObject {
        let connection = try PostgreSQLConnection(url)
        let taken = try connection.value("SELECT pg_try_advisory_lock(\(Self.reindexLock))")
        guard taken == "t" else {
            throw SourceError(
                source: name,
                reason:
                    "another 'kindred reindex --journal' is running on this journal; wait for it (one reindex publishes at a time)"
            )
        }
        return ReindexLock(connection)
    }
}

/// One libpq connection (they are not thread-safe) used under its lock, opened on first use and
/// again after it broke.
final class ReusableConnection: @unchecked Sendable {
    private let lock = NSLock()
    private var connection: PostgreSQLConnection?
    private let open: () throws -> PostgreSQLConnection

    init(open: @escaping () throws -> PostgreSQLConnection) { self.open = open }

    func use<T>(_ work: (PostgreSQLConnection) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        let current: PostgreSQLConnection
        if let connection, connection.isHealthy {
            current = connection
        } else {
            connection = nil
            current = try open()
            connection = current
        }
        do {
            return try work(current)
        } catch {
            if !current.isHealthy { connection = nil }
            throw error
        }
    }
}
