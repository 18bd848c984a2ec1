import Foundation

extension ModelDirectory {
    /// A model directory opened as the server serves it.
    public struct OpenedIndex: Sendable {
        public var index: LiveIndex
        /// Every entry in the journal file, absorbed or not.
        public var entries: [JournalEntry]
        /// How many of them were applied on top of the model.
        public var replayed: Int
        /// Journal lines that could not be read, and entries that could not be applied: skipped.
        public var skipped: [Journal.Problem]
        /// Where the journal is.
        public var journalPath: String
    }

    /// Opens the newest model of this directory as a live index: the journal's entries the model
    /// has not absorbed replayed on top, the editorial overrides applied. The server, the CLI's
    /// queries and the tests all open a model this way.
    ///
    /// - Parameter current: the index being served; when the newest version is still its model,
    ///   that model is reused instead of read again (versions never change once published), so a
    ///   reload without a new build costs the journal replay only.
    /// - Throws: `ModelFileError` when no valid model can be loaded; the file system's error when
    ///   the journal or the overrides can't be read.
    public func openLive(reusing current: LiveIndex? = nil) throws -> OpenedIndex {
        let modelPath = try newestModelPath()
        let version = (modelPath as NSString).lastPathComponent
        let model =
            try current.flatMap { $0.version == version ? $0.model : nil }
            ?? Self.loadModel(at: modelPath, search: search)
        let journalPath = (path as NSString).appendingPathComponent(Journal.fileName)
        let (entries, problems) = try Journal.read(path: journalPath)
        let base = LiveIndex(model: model, version: version, overrides: try OverridesFile.load(directory: path))
        let pending = entries.filter { $0.sequence > (model.manifest.journalSequence ?? 0) }
        return OpenedIndex(
            index: base.replaying(pending), entries: entries, replayed: pending.count, skipped: problems,
            journalPath: journalPath)
    }
}
