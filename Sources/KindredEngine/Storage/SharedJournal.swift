import Foundation

/// A journal several servers share: each write gets its place in one order, durably, before it is
/// acknowledged, and every replica applies every entry in that order. The editorial overrides and
/// the newest published model live beside it, so all replicas pin, block and serve the same.
///
/// Implemented on PostgreSQL (`KindredSources`' `PostgreSQLJournal`); the engine knows only this
/// protocol. Every method blocks on the database: callers keep them off the request threads.
public protocol SharedJournal: Sendable {
    /// The journal's URL, password redacted.
    var name: String { get }

    /// Appends a write and commits it.
    ///
    /// - Returns: the entry with its sequence; no entry with a lower sequence can appear later.
    func append(_ operation: JournalEntry.Operation) throws -> JournalEntry

    /// The committed entries after `sequence`, in order (gaps are rolled-back writes).
    func entries(after sequence: Int) throws -> [JournalEntry]

    /// Every article's editorial overrides, and a stamp that changes whenever one of them does.
    func overrides() throws -> (overrides: EditorialOverrides, stamp: Int)

    /// The journal's head, the overrides' stamp and the newest published model, in one round trip:
    /// what a replica's poll compares with what it has.
    func positions() throws -> JournalPositions

    /// Replaces an article's overrides (nil removes them) and commits.
    func setOverrides(_ entry: EditorialOverrides.Entry?, for id: String) throws

    /// Records that `version` is published in the shared model directory and absorbed the journal
    /// up to `absorbed`, and tells the replicas.
    func record(published version: String, absorbed: Int) throws

    /// Waits up to `timeout` seconds to be told (LISTEN/NOTIFY) of a write, an overrides change or
    /// a published model; empty on timeout, when replicas poll for all three.
    func waitForNews(timeout: Double) -> JournalNews
}

/// Where a shared journal stands.
public struct JournalPositions: Sendable, Equatable {
    public var head: Int
    public var overridesStamp: Int
    /// The newest model version published with `record(published:absorbed:)`, if any.
    public var newestModel: String?

    public init(head: Int, overridesStamp: Int, newestModel: String?) {
        (self.head, self.overridesStamp, self.newestModel) = (head, overridesStamp, newestModel)
    }
}

/// What a shared journal's notifications said changed.
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

extension ModelDirectory {
    /// Opens the newest model of this directory as a replica serves it: the shared journal's
    /// entries the model has not absorbed replayed on top, the shared overrides applied.
    ///
    /// - Returns: the index and the last sequence applied.
    public func openLive(journal: SharedJournal, reusing current: LiveIndex? = nil) throws -> (
        index: LiveIndex, applied: Int, replayed: Int
    ) {
        let modelPath = try newestModelPath()
        let version = (modelPath as NSString).lastPathComponent
        let model =
            try current.flatMap { $0.version == version ? $0.model : nil }
            ?? Self.loadModel(at: modelPath, search: search)
        let absorbed = model.manifest.journalSequence ?? 0
        var index = LiveIndex(model: model, version: version, overrides: try journal.overrides().overrides)
        let pending = try journal.entries(after: absorbed)
        for entry in pending { index = try index.applying(entry) }
        return (index, pending.last?.sequence ?? absorbed, pending.count)
    }
}
