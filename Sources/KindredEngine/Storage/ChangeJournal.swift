import Foundation

/// Where the writes since the last reindex and the editorial overrides are kept: the model
/// directory's own files (`FileJournal`) or a database several replicas share
/// (`KindredSources`' `PostgreSQLJournal`). The server (`ModelStore`), the CLI and the reindex
/// know only this protocol; the two differ in who else writes, never in what a write promises.
///
/// Each write gets its place in one order, durably, before it is acknowledged, and every server
/// on the journal applies every entry in that order. Every method may block on the disk or the
/// database: callers keep them off the request threads.
public protocol ChangeJournal: Sendable {
    /// Where it is, for messages: the file's path, or the database's URL with the password redacted.
    var name: String { get }

    /// Whether other servers write to it too (replicas): a server on it then catches up before
    /// each write, and follows it (`ReplicaFollower`) for the others' writes, overrides and models.
    var isShared: Bool { get }

    /// A name made once for a shared journal when its tables are created: a model built from it
    /// records it (`Manifest.journal`), so that no replica serves a model built from another.
    /// Nil for a directory's own journal, which only its own models count.
    func identity() throws -> String?

    /// Appends `drafts` (their sequences ignored) in one durable step: one fsync, or one transaction.
    ///
    /// - Returns: the entries with their sequences; no entry with a lower sequence can appear later.
    func append(_ drafts: [JournalEntry]) throws -> [JournalEntry]

    /// The entries after `sequence`, in order (gaps are rolled-back or coalesced writes), and those
    /// that can't be decoded, as problems: skipped, never fatal.
    func entries(after sequence: Int) throws -> JournalRead

    /// How many entries after `sequence` (the served model's) it holds: what `--max-journal-entries`
    /// limits.
    func count(after sequence: Int) throws -> Int

    /// Shrinks the journal to the last entry per article (`Journal.coalesced`), which replays to the
    /// same articles from any sequence: what a full journal does before it refuses a write.
    func coalesce() throws

    /// Every article's editorial overrides, and a stamp that changes whenever one of them does;
    /// an article's overrides that can't be read are skipped and returned as problems.
    func overrides() throws -> JournalOverrides

    /// Replaces an article's overrides (nil removes them), durably.
    func setOverrides(_ entry: EditorialOverrides.Entry?, for id: String) throws

    /// The journal's head, the overrides' stamp and the newest published model, in one read: what
    /// a replica's poll compares with what it has.
    func positions() throws -> JournalPositions

    /// Says that `version` is published in the model directory having absorbed the journal up to
    /// `absorbed`, and drops the entries no kept version needs (those at or below `floor`, the
    /// lowest sequence the directory's kept versions absorbed, and of the last `keep` announced).
    /// A shared journal records and announces it, and its replicas switch; a directory's own
    /// journal does nothing here: its one server compacts it at its next reload (`compact`).
    func announce(published version: String, absorbed: Int, floor: Int, keep: Int) throws

    /// Whether `version` was announced on this journal having absorbed it up to `absorbed`. Both
    /// must match: version names are build times, and two directories can hold versions built in
    /// the same second.
    func published(_ version: String, absorbed: Int) throws -> Bool

    /// The newest `limit` versions announced, newest first.
    func recentlyPublished(limit: Int) throws -> [String]

    /// Drops the entries at or below `floor`, which no kept version needs: called by a server after
    /// it reloaded. A directory's own journal is rewritten (its server is its one writer); a
    /// shared one keeps them until the next reindex announces (`announce`), which knows which
    /// versions every replica may still serve.
    func compact(through floor: Int) throws

    /// Held by a reindex from its read of the journal to its announcement, so that a second one
    /// fails at once instead of publishing over the first; released when the value is dropped.
    func lockForReindex() throws -> AnyObject

    /// Waits up to `timeout` seconds to be told of another server's write, an overrides change or
    /// a published model; empty on timeout, when replicas poll for all three.
    func waitForNews(timeout: Double) -> JournalNews
}

/// What one read of a journal found.
public struct JournalRead: Sendable, Equatable {
    public var entries: [JournalEntry]
    /// Committed entries that can't be decoded (a row written by hand, or by a newer Kindred).
    public var skipped: [Journal.Problem]
    /// The highest sequence read, skipped entries included: where the next read starts.
    public var last: Int?

    public init(entries: [JournalEntry], skipped: [Journal.Problem] = [], last: Int? = nil) {
        self.entries = entries
        self.skipped = skipped
        self.last = [last, entries.last?.sequence].compactMap { $0 }.max()
    }
}

/// A journal's editorial overrides.
public struct JournalOverrides: Sendable {
    public var overrides: EditorialOverrides
    /// Changes whenever an article's overrides do.
    public var stamp: Int
    /// Articles whose stored overrides can't be read; their overrides are left out.
    public var skipped: [Journal.Problem]

    public init(overrides: EditorialOverrides, stamp: Int, skipped: [Journal.Problem] = []) {
        (self.overrides, self.stamp, self.skipped) = (overrides, stamp, skipped)
    }
}

/// Where a journal stands.
public struct JournalPositions: Sendable, Equatable {
    public var head: Int
    public var overridesStamp: Int
    /// The newest model version announced (`announce`), if any.
    public var newestModel: String?

    public init(head: Int, overridesStamp: Int, newestModel: String?) {
        (self.head, self.overridesStamp, self.newestModel) = (head, overridesStamp, newestModel)
    }
}

/// What a journal's notifications said changed.
public struct JournalNews: Sendable, Equatable {
    /// Another write was committed; `latestSequence` is the highest one named (0: not named).
    public var journal = false
    public var latestSequence = 0
    public var overrides = false
    public var model = false

    public init(journal: Bool = false, latestSequence: Int = 0, overrides: Bool = false, model: Bool = false) {
        (self.journal, self.latestSequence, self.overrides, self.model) = (journal, latestSequence, overrides, model)
    }

    /// Nothing was said: the wait timed out.
    public var isEmpty: Bool { !journal && !overrides && !model }
}
