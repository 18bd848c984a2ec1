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

    /// A name made once for this journal when its tables are created: a model built from it
    /// records it (`Manifest.journal`), so that no replica serves a model built from another.
    func identity() throws -> String

    /// Appends a write (with a put's meaning, when the writer embedded it) and commits it.
    ///
    /// - Returns: the entry with its sequence; no entry with a lower sequence can appear later.
    func append(_ operation: JournalEntry.Operation, meaning: ArticleMeaning?) throws -> JournalEntry

    /// The committed entries after `sequence`, in order (gaps are rolled-back writes), and those
    /// that can't be decoded, as problems: skipped, never fatal.
    func entries(after sequence: Int) throws -> JournalRead

    /// Every article's editorial overrides, and a stamp that changes whenever one of them does;
    /// an article's overrides that can't be read are skipped and returned as problems.
    func overrides() throws -> SharedOverrides

    /// The journal's head, the overrides' stamp and the newest published model, in one round trip:
    /// what a replica's poll compares with what it has.
    func positions() throws -> JournalPositions

    /// Replaces an article's overrides (nil removes them) and commits.
    func setOverrides(_ entry: EditorialOverrides.Entry?, for id: String) throws

    /// Records that `version` is published in the shared model directory and absorbed the journal
    /// up to `absorbed`, and tells the replicas.
    func record(published version: String, absorbed: Int) throws

    /// Whether `version` was published on this journal having absorbed it up to `absorbed`
    /// (`record(published:absorbed:)`). Both must match: version names are build times, and two
    /// directories can hold versions built in the same second.
    func published(_ version: String, absorbed: Int) throws -> Bool

    /// Waits up to `timeout` seconds to be told (LISTEN/NOTIFY) of a write, an overrides change or
    /// a published model; empty on timeout, when replicas poll for all three.
    func waitForNews(timeout: Double) -> JournalNews
}

/// What one read of a shared journal found.
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

/// A shared journal's editorial overrides.
public struct SharedOverrides: Sendable {
    public var overrides: EditorialOverrides
    /// Changes whenever an article's overrides do.
    public var stamp: Int
    /// Articles whose stored overrides can't be read; their overrides are left out.
    public var skipped: [Journal.Problem]

    public init(overrides: EditorialOverrides, stamp: Int, skipped: [Journal.Problem] = []) {
        (self.overrides, self.stamp, self.skipped) = (overrides, stamp, skipped)
    }
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
    /// A model opened as a replica serves it.
    public struct SharedOpening: Sendable {
        public var index: LiveIndex
        /// Entries replayed on top of the model.
        public var replayed: Int
        /// Entries and overrides that could not be read or applied, skipped.
        public var skipped: [Journal.Problem]
        /// The overrides' stamp read.
        public var overridesStamp: Int
    }

    /// Opens the newest model of this directory as a replica serves it: the shared journal's
    /// entries the model has not absorbed replayed on top (those that can't be read or applied
    /// skipped), the shared overrides applied.
    ///
    /// - Throws: `ModelFileError` when no valid model can be loaded; the journal's error when it
    ///   can't be reached.
    public func openLive(journal: SharedJournal, reusing current: LiveIndex? = nil) throws -> SharedOpening {
        let index = try openModel(reusing: current)
        return try Self.catchUp(index, journal: journal)
    }

    /// The newest model of this directory, with no journal entry applied: what a replica serves
    /// while its journal can't be reached.
    public func openModel(reusing current: LiveIndex? = nil) throws -> LiveIndex {
        let modelPath = try newestModelPath()
        let version = (modelPath as NSString).lastPathComponent
        let model =
            try current.flatMap { $0.version == version ? $0.model : nil }
            ?? Self.loadModel(at: modelPath, search: search)
        return LiveIndex(model: model, version: version)
    }

    /// A model whose journal sequence counts another journal's entries: a replica would skip the
    /// shared entries below it, and serve none of its own writes until the sequence passed it.
    public struct ForeignModel: Error, CustomStringConvertible {
        public let version: String
        public let absorbed: Int
        public let journal: String
        public var description: String {
            "model \(version) absorbed \(absorbed) entries of another journal (a directory's journal.jsonl, or another database) than \(journal): "
                + "build the replicas' model with 'kindred reindex --journal <the replicas' URL>'"
        }
    }

    /// Refuses a model that absorbed entries of a journal other than `journal`: its manifest names
    /// the journal it was built from. A model built before manifests named it passes when this
    /// journal recorded it as published with that sequence.
    public static func checkOwnership(of index: LiveIndex, journal: SharedJournal) throws {
        let manifest = index.model.manifest
        let absorbed = manifest.journalSequence ?? 0
        guard absorbed > 0 else { return }
        if let built = manifest.journal {
            guard try built != journal.identity() else { return }
        } else {
            guard try !journal.published(index.version, absorbed: absorbed) else { return }
        }
        throw ForeignModel(version: index.version, absorbed: absorbed, journal: journal.name)
    }

    /// `index` with the shared overrides and every entry after its sequence applied.
    public static func catchUp(_ index: LiveIndex, journal: SharedJournal) throws -> SharedOpening {
        try checkOwnership(of: index, journal: journal)
        let overrides = try journal.overrides()
        let read = try journal.entries(after: index.journalSequence)
        var caughtUp = index.with(overrides: overrides.overrides).replaying(read.entries)
        if let last = read.last { caughtUp = caughtUp.passing(last) }
        return SharedOpening(
            index: caughtUp, replayed: read.entries.count, skipped: overrides.skipped + read.skipped,
            overridesStamp: overrides.stamp)
    }
}
