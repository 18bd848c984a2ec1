import Foundation

/// How a model directory becomes a live index: the newest model, with the writes of its journal
/// that it has not absorbed replayed on top and the journal's overrides applied. The server, the
/// CLI's queries and the tests all open a model this way, on the directory's own journal or on
/// one replicas share.
extension ModelDirectory {
    /// A model opened with its journal caught up.
    public struct OpenedIndex: Sendable {
        public var index: LiveIndex
        /// Entries replayed on top of the model.
        public var replayed: Int
        /// Entries and overrides that could not be read or applied, skipped.
        public var skipped: [Journal.Problem]
        /// The overrides' stamp read.
        public var overridesStamp: Int
    }

    /// Opens the newest model of this directory with `journal`'s entries the model has not absorbed
    /// replayed on top (those that can't be read or applied skipped) and its overrides applied.
    ///
    /// - Parameters:
    ///   - journal: where the writes and overrides are; nil for the directory's own.
    ///   - current: the index being served; when the newest version is still its model, that model
    ///     is reused instead of read again (versions never change once published), so a reload
    ///     without a new build costs the journal replay only.
    /// - Throws: `ModelFileError` when no valid model can be loaded; the journal's error when it
    ///   can't be read.
    public func openLive(journal: ChangeJournal? = nil, reusing current: LiveIndex? = nil) throws -> OpenedIndex {
        try Self.catchUp(openModel(reusing: current), journal: journal ?? self.journal())
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

    /// Refuses a model that absorbed entries of a shared journal other than `journal`: its
    /// manifest names the journal it was built from. A model built before manifests named it
    /// passes when this journal announced it with that sequence. A directory's own journal has no
    /// identity, and counts only its own models.
    public static func checkOwnership(of index: LiveIndex, journal: ChangeJournal) throws {
        let manifest = index.model.manifest
        let absorbed = manifest.journalSequence ?? 0
        guard absorbed > 0, let identity = try journal.identity() else { return }
        if let built = manifest.journal {
            guard built != identity else { return }
        } else {
            guard try !journal.published(index.version, absorbed: absorbed) else { return }
        }
        throw ForeignModel(version: index.version, absorbed: absorbed, journal: journal.name)
    }

    /// `index` with `journal`'s overrides and every entry after its sequence applied.
    public static func catchUp(_ index: LiveIndex, journal: ChangeJournal) throws -> OpenedIndex {
        try checkOwnership(of: index, journal: journal)
        let overrides = try journal.overrides()
        let read = try journal.entries(after: index.journalSequence)
        var caughtUp = index.with(overrides: overrides.overrides).replaying(read.entries)
        if let last = read.last { caughtUp = caughtUp.passing(last) }
        return OpenedIndex(
            index: caughtUp, replayed: read.entries.count, skipped: overrides.skipped + read.skipped,
            overridesStamp: overrides.stamp)
    }
}
