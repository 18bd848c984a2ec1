import Foundation
import KindredEncoder
import KindredEngine
import Logging
import Synchronization

/// The model being served and every change made to it since it was built.
///
/// Reads take the current `LiveIndex` and work on it without further locking. Writes (upserts,
/// deletes, a sync's batch, overrides, reloads) take one write path whichever journal is behind
/// the store (`ModelStore+Journal.swift`): under one lock, off the request threads, each catches
/// up with the journal, records its change there durably and then swaps the next index in. A
/// request in flight keeps the index it started with.
public final class ModelStore: Sendable {
    public let directory: ModelDirectory
    /// Where writes and overrides are kept: the directory's own files, or a journal replicas share
    /// (`--journal postgresql://…`).
    public let journal: ChangeJournal
    let state: ReadWriteLocked<LiveIndex>
    /// Held by every write, catch-up and index swap: one at a time, in journal order.
    let writes = Mutex(())
    let logger: Logger
    let position = Mutex(JournalPosition())
    /// Writes are refused (`JournalFull`) once the journal holds this many entries.
    public let maximumJournalEntries: Int
    private let writeEncoder = Mutex<(encoder: SentenceEncoder?, directory: String?)>((nil, nil))

    /// A write refused because the journal is at its limit; a reindex (which absorbs it) and a
    /// reload make room.
    public struct JournalFull: Error, CustomStringConvertible {
        public let entries: Int
        public var description: String {
            "the journal holds changes to \(entries) articles since the last reindex, its limit (--max-journal-entries): run 'kindred reindex' and reload, which absorbs them, then retry"
        }
    }

    /// What a reload did.
    public struct ReloadOutcome: Sendable, Equatable {
        public var previousVersion: String
        public var version: String
        /// Journal entries re-applied on top of the new model.
        public var replayed: Int
        public var changed: Bool { previousVersion != version }
    }

    /// A reload that was refused; the old model keeps serving.
    public struct ReloadError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Loads the newest model in `path` and replays the entries of `journal` (default: the
    /// directory's own) that it has not absorbed, with the journal's overrides.
    ///
    /// A shared journal that can't be reached at start is not fatal: the replica serves its
    /// model's articles and its follower catches up (and marks it ready) once the journal answers.
    ///
    /// - Throws: `ModelFileError` when no valid model can be loaded; `ModelDirectory.ForeignModel`
    ///   for a model built from another journal; the error of a directory's own journal that
    ///   can't be read.
    public init(
        directory path: String, logger: Logger, maximumJournalEntries: Int = 100_000, journal: ChangeJournal? = nil,
        search: SearchSettings = SearchSettings()
    ) throws {
        let directory = ModelDirectory(path: path, search: search)
        self.directory = directory
        self.journal = journal ?? directory.journal()
        self.maximumJournalEntries = maximumJournalEntries
        self.logger = logger
        let index = try directory.openModel()
        self.state = ReadWriteLocked(index)
        do {
            let opened = try ModelDirectory.catchUp(index, journal: self.journal)
            let pending = try self.journal.count(after: index.model.manifest.journalSequence ?? 0)
            state.write(opened.index)
            position.withLock {
                $0.caughtUp = true
                $0.overridesStamp = opened.overridesStamp
                $0.pending = pending
            }
            noteSkipped(opened.skipped)
            logger.info(
                "model loaded",
                metadata: [
                    "version": "\(opened.index.version)", "articles": "\(opened.index.articleCount)",
                    "journal": "\(self.journal.name)", "journal_replayed": "\(opened.replayed)",
                    "applied_sequence": "\(opened.index.journalSequence)",
                    "overrides": "\(opened.index.overrides.entries.count)",
                ])
        } catch let error where self.journal.isShared && !(error is ModelDirectory.ForeignModel) {
            // An outage, not a fault of the model: serve it while the journal is away.
            position.withLock {
                $0.reachable = false
                $0.lastError = "\(error)"
            }
            logger.error(
                "shared journal unreachable at start: serving the model's articles without the journal's writes until it answers",
                metadata: ["version": "\(index.version)", "journal": "\(self.journal.name)", "error": "\(error)"])
        }
    }

    /// The sentence encoder that embeds drafts, and each written article once, when it is
    /// written, for the semantic channel (the server's `--encoder`; `buildRouter` sets it). A
    /// write's vector goes into its journal entry (`ArticleMeaning`), so replay and replicas
    /// reuse it. Nil, or another encoder than the model's: they rank on words alone.
    public var encoder: SentenceEncoder? {
        get { writeEncoder.withLock { $0.encoder } }
        set { writeEncoder.withLock { $0.encoder = newValue } }
    }

    /// Where a reload to a model with the channel loads its encoder from when `encoder` is not
    /// the model's (`ServerConfiguration.encoderDirectory`).
    public var encoderDirectory: String? {
        get { writeEncoder.withLock { $0.directory } }
        set { writeEncoder.withLock { $0.directory = newValue } }
    }

    /// Journal entries skipped since the server started (unreadable, or refused by the model), by
    /// where they are: each is logged once, and counted in `/v1/status` and `/metrics`.
    let skippedEntries = Mutex<Set<String>>([])

    /// How many journal entries this server skipped.
    public var skippedJournalEntries: Int { skippedEntries.withLock { $0.count } }

    /// Records skipped entries, logging each the first time it is seen.
    func noteSkipped(_ problems: [Journal.Problem]) {
        for problem in problems {
            let key = problem.sequence.map { "entry \($0)" } ?? problem.description
            guard skippedEntries.withLock({ $0.insert(key).inserted }) else { continue }
            logger.warning(
                "journal entry skipped: it can't be read or applied; the entries after it are applied",
                metadata: ["journal": "\(journal.name)", "problem": "\(problem)"])
        }
    }

    /// The index to answer a request with.
    public var current: LiveIndex { state.read() }

    /// Entries in the journal the served model has not absorbed (changes since the last reindex),
    /// as of the last write, catch-up or reload.
    public func journalLength() -> Int { position.withLock { $0.pending } }

    /// Indexes an article (new or changed) durably.
    ///
    /// - Returns: true when the id was new.
    @discardableResult
    public func upsert(_ received: ReceivedArticle) async throws -> Bool {
        let meaning = try await meanings(of: [received.article])[0]
        return try await commit { index, _ in
            let entry = JournalEntry(sequence: 0, operation: .put(received), meaning: meaning)
            return ([entry], index.metadata(of: received.article.id) == nil)
        }
    }

    /// Withdraws an article durably.
    ///
    /// - Returns: false when there was no such article (nothing is written).
    public func delete(_ id: String) async throws -> Bool {
        try await commit { index, _ in
            index.metadata(of: id) == nil ? ([], false) : ([JournalEntry(sequence: 0, operation: .delete(id))], true)
        }
    }

    /// What a batch of source changes did.
    public struct AppliedChanges: Sendable, Equatable {
        public var upserted = 0
        public var deleted = 0
        /// Withdrawals of articles the index does not hold (nothing written).
        public var absent = 0
        /// The changes dealt with, in order: a prefix of the batch. The rest did not fit in the
        /// journal and wait for the next reindex.
        public var taken = 0
    }

    /// Applies a sync's changes as the PUTs and DELETEs the publishing system would have sent, in
    /// one journal write (one fsync, or one transaction) and one index swap: as many, from the
    /// first, as the journal has room for (`AppliedChanges.taken`).
    ///
    /// - Throws: `JournalFull` when the journal has no room at all (nothing is applied).
    public func apply(_ changes: [SourceChange]) async throws -> AppliedChanges {
        let meanings = try await meanings(of: changes)
        return try await commit { index, room in
            var entries: [JournalEntry] = []
            var outcome = AppliedChanges()
            // Withdrawals decided on the batch's own puts and withdrawals as well as the index.
            var present: [String: Bool] = [:]
            for (change, meaning) in zip(changes, meanings) {
                guard entries.count < max(1, room) else { break }
                outcome.taken += 1
                switch change.operation {
                case .put(let received):
                    entries.append(JournalEntry(sequence: 0, operation: .put(received), meaning: meaning))
                    present[change.id] = true
                    outcome.upserted += 1
                case .withdraw:
                    guard present[change.id] ?? (index.metadata(of: change.id) != nil) else {
                        outcome.absent += 1
                        continue
                    }
                    entries.append(JournalEntry(sequence: 0, operation: .delete(change.id)))
                    present[change.id] = false
                    outcome.deleted += 1
                }
            }
            return (entries, outcome)
        }
    }

    /// The meanings of articles about to be written (`LiveIndex.meanings(of:encoder:)`), embedded
    /// off the request threads: a sync's batch can take seconds.
    func meanings(of articles: [Article]) async throws -> [ArticleMeaning?] {
        let (index, encoder) = (current, encoder)
        guard encoder != nil, index.model.semantic != nil, !articles.isEmpty else { return articles.map { _ in nil } }
        return try await Blocking.run { index.meanings(of: articles, encoder: encoder) }
    }

    /// The meanings of a sync's puts, one per change (nil for a withdrawal).
    func meanings(of changes: [SourceChange]) async throws -> [ArticleMeaning?] {
        var puts: [Int] = []
        var articles: [Article] = []
        for (offset, change) in changes.enumerated() {
            if case .put(let received) = change.operation {
                puts.append(offset)
                articles.append(received.article)
            }
        }
        var meanings = [ArticleMeaning?](repeating: nil, count: changes.count)
        let embedded = try await self.meanings(of: articles)
        for (offset, meaning) in zip(puts, embedded) { meanings[offset] = meaning }
        return meanings
    }

    /// Replaces an article's editorial overrides (nil removes them), durably in the journal's
    /// overrides (`overrides.json`, or the shared journal's table).
    ///
    /// - Returns: the entry stored.
    /// - Throws: `EngineError.invalidParameter` for an invalid entry; `JournalUnavailable` when
    ///   they can't be written (nothing changes then).
    public func setOverrides(_ entry: EditorialOverrides.Entry?, for id: String) async throws
        -> EditorialOverrides.Entry
    {
        if let entry { try EditorialOverrides.validate(entry, for: id) }
        return try await Blocking.run {
            try self.writes.withLock { _ in
                try self.call { try self.journal.setOverrides(entry, for: id) }
                try self.refreshOverridesLocked(force: true)
                return self.current.overrides.entry(for: id) ?? .init()
            }
        }
    }

    /// Loads the encoder of `model`'s vectors from `encoderDirectory` when the store has another
    /// or none (a reload that turned the channel on); keeps what it has when the folder holds
    /// another encoder, saying so, as drafts and writes then rank on words.
    func adoptEncoder(for model: Model) async {
        guard let semantic = model.semantic, !(encoder?.identity.matches(semantic.encoder) ?? false),
            let directory = encoderDirectory
        else { return }
        do {
            let loaded = try await Blocking.runLong { try SentenceEncoder(directory: directory) }
            guard loaded.identity.matches(semantic.encoder) else {
                logger.warning(
                    "the encoder folder holds another encoder than the model's vectors came from: drafts and writes rank on words",
                    metadata: [
                        "folder": "\(directory)", "encoder": "\(loaded.identity)", "model": "\(semantic.encoder)",
                    ])
                return
            }
            encoder = loaded
            logger.info("semantic", metadata: ["semantic": "\(model.semanticSummary)", "encoder": "\(directory)"])
        } catch {
            logger.warning(
                "the model has the semantic channel but its encoder can't be loaded: drafts and writes rank on words",
                metadata: ["folder": "\(directory)", "error": "\(error)"])
        }
    }

    /// Asks the allocator to hand the old model's freed pages back to the system once requests
    /// still reading it have finished. glibc keeps freed heap memory for reuse; after a model
    /// swap (hundreds of MB of small allocations freed at once) that shows as resident memory that
    /// only grows across reloads.
    static func returnFreedMemoryLater() {
        Task.detached(priority: .background) {
            try? await Task.sleep(for: .seconds(2))
            FreedMemory.release()
        }
    }
}
