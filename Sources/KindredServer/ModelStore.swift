import Foundation
import KindredEncoder
import KindredEngine
import Logging
import Synchronization

/// The model being served and every change made to it since it was built.
///
/// Reads take the current `LiveIndex` and work on it without further locking. Writes (upsert,
/// delete, reload) are serialised by an actor; each prepares the next index, records the change
/// in the journal (flushed to disk before it returns) and then swaps the index in. A request in
/// flight keeps the index it started with.
public final class ModelStore: Sendable {
    public let directory: ModelDirectory
    let state: ReadWriteLocked<LiveIndex>
    let writer: Writer
    let logger: Logger
    /// The journal replicas share, when this server is one of them (`--journal postgresql://…`);
    /// nil for the model directory's own `journal.jsonl`.
    public let shared: SharedJournal?
    let replica = Mutex(ReplicaState())
    /// Writes are refused (`JournalFull`) once the journal holds this many entries.
    public let maximumJournalEntries: Int
    private let writeEncoder = Mutex<SentenceEncoder?>(nil)

    /// The sentence encoder that embeds each written article once, when it is written, for the
    /// semantic channel (the server's `--encoder`; `buildRouter` sets it). The vector goes into
    /// the journal entry (`ArticleMeaning`), so replay and replicas reuse it. Nil, or another
    /// encoder than the model's: written articles rank on words alone.
    public var encoder: SentenceEncoder? {
        get { writeEncoder.withLock { $0 } }
        set { writeEncoder.withLock { $0 = newValue } }
    }

    /// The meanings of articles about to be written (`LiveIndex.meanings(of:encoder:)`), embedded
    /// off the request threads: a sync's batch can take seconds.
    func meanings(of articles: [Article]) async throws -> [ArticleMeaning?] {
        let (index, encoder) = (current, encoder)
        guard encoder != nil, index.model.semantic != nil, !articles.isEmpty else { return articles.map { _ in nil } }
        return try await Blocking.run { index.meanings(of: articles, encoder: encoder) }
    }

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

    /// Loads the newest model in `path`, replays the journal entries it has not absorbed, and
    /// opens the journal for writing. With `shared`, the model's unabsorbed writes and the
    /// overrides come from that journal instead of the directory's files, and writes go there
    /// (see `ModelStore+Replica.swift`).
    ///
    /// - Throws: `ModelFileError` when no valid model can be loaded; with `shared`, the journal's
    ///   error when it can't be read.
    public init(
        directory path: String, logger: Logger, maximumJournalEntries: Int = 100_000, shared: SharedJournal? = nil,
        search: SearchSettings = SearchSettings()
    ) throws {
        self.directory = ModelDirectory(path: path, search: search)
        self.maximumJournalEntries = maximumJournalEntries
        self.logger = logger
        self.shared = shared
        if let shared {
            // The model alone first: a replica whose journal is away still serves reads from it,
            // and its follower catches up (and marks it ready) once the journal answers.
            let index = try directory.openModel()
            self.state = ReadWriteLocked(index)
            self.writer = Writer(journal: nil)
            do {
                let opened = try ModelDirectory.catchUp(index, journal: shared)
                state.write(opened.index)
                replica.withLock {
                    $0.caughtUp = true
                    $0.overridesStamp = opened.overridesStamp
                }
                noteSkipped(opened.skipped, source: shared.name)
                logger.info(
                    "model loaded",
                    metadata: [
                        "version": "\(opened.index.version)", "articles": "\(opened.index.articleCount)",
                        "journal": "\(shared.name)", "journal_replayed": "\(opened.replayed)",
                        "applied_sequence": "\(opened.index.journalSequence)",
                    ])
            } catch let foreign as ModelDirectory.ForeignModel {
                // Not an outage: serving it would hide every shared write below its sequence.
                throw foreign
            } catch {
                replica.withLock {
                    $0.reachable = false
                    $0.lastError = "\(error)"
                }
                logger.error(
                    "shared journal unreachable at start: serving the model's articles without the journal's writes until it answers",
                    metadata: [
                        "version": "\(index.version)", "journal": "\(shared.name)", "error": "\(error)",
                    ])
            }
        } else {
            let (loaded, journal) = try Self.open(directory: directory, logger: logger)
            self.state = ReadWriteLocked(loaded.index)
            self.writer = Writer(journal: journal)
            noteSkipped(loaded.skipped, source: journal.path)
        }
    }

    /// Journal entries skipped since the server started (unreadable, or refused by the model), by
    /// where they are: each is logged once, and counted in `/v1/status` and `/metrics`.
    let skippedEntries = Mutex<Set<String>>([])

    /// How many journal entries this server skipped.
    public var skippedJournalEntries: Int { skippedEntries.withLock { $0.count } }

    /// Records skipped entries, logging each the first time it is seen.
    func noteSkipped(_ problems: [Journal.Problem], source: String) {
        for problem in problems {
            let key = problem.sequence.map { "entry \($0)" } ?? problem.description
            guard skippedEntries.withLock({ $0.insert(key).inserted }) else { continue }
            logger.warning(
                "journal entry skipped: it can't be read or applied; the entries after it are applied",
                metadata: ["journal": "\(source)", "problem": "\(problem)"])
        }
    }

    /// The index to answer a request with.
    public var current: LiveIndex { state.read() }

    /// Entries in the journal (changes not yet absorbed by a reindex).
    public func journalLength() async -> Int {
        if shared != nil { return replicatedJournalLength }
        return await writer.journalCount
    }

    /// Indexes an article (new or changed) durably.
    ///
    /// - Returns: true when the id was new.
    @discardableResult
    public func upsert(_ received: ReceivedArticle) async throws -> Bool {
        let meaning = try await meanings(of: [received.article])[0]
        if shared != nil { return try await replicatedUpsert(received, meaning: meaning) }
        return try await writer.perform { journal in
            try self.checkRoom(journal)
            let before = self.state.read()
            let article = received.article
            let created = before.metadata(of: article.id) == nil
            let next = before.upserting(article, meaning: meaning, sequence: journal.nextSequence)
            _ = try journal.append(.put(received), meaning: meaning)
            self.state.write(next)
            return created
        }
    }

    /// Withdraws an article durably.
    ///
    /// - Returns: false when there was no such article (nothing is written).
    public func delete(_ id: String) async throws -> Bool {
        if shared != nil { return try await replicatedDelete(id) }
        return try await writer.perform { journal in
            try self.checkRoom(journal)
            guard let next = self.state.read().deleting(id, sequence: journal.nextSequence) else { return false }
            _ = try journal.append(.delete(id))
            self.state.write(next)
            return true
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
    /// one journal write (one fsync) and one index swap: as many, from the first, as the journal
    /// has room for (`AppliedChanges.taken`).
    ///
    /// - Throws: `JournalFull` when the journal has no room at all (nothing is applied).
    public func apply(_ changes: [SourceChange]) async throws -> AppliedChanges {
        let meanings = try await meanings(of: changes)
        if shared != nil { return try await replicatedApply(changes, meanings: meanings) }
        return try await writer.perform { journal in
            if !changes.isEmpty { try self.checkRoom(journal) }
            let room = self.maximumJournalEntries - journal.pending
            var index = self.state.read()
            var entries: [JournalEntry] = []
            var outcome = AppliedChanges()
            for (change, meaning) in zip(changes, meanings) {
                guard entries.count < room else { break }
                outcome.taken += 1
                let sequence = journal.nextSequence + entries.count
                switch change.operation {
                case .put(let received):
                    index = index.upserting(received.article, meaning: meaning, sequence: sequence)
                    entries.append(JournalEntry(sequence: sequence, operation: .put(received), meaning: meaning))
                    outcome.upserted += 1
                case .withdraw:
                    if let next = index.deleting(change.id, sequence: sequence) {
                        index = next
                        entries.append(JournalEntry(sequence: sequence, operation: .delete(change.id)))
                        outcome.deleted += 1
                    } else {
                        outcome.absent += 1
                    }
                }
            }
            _ = try journal.append(entries: entries)
            self.state.write(index)
            return outcome
        }
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

    /// Makes room for one more entry: at the limit, the journal is first shrunk to one entry per
    /// article (`Journal.coalesced`); only when that leaves it full is the write refused.
    private func checkRoom(_ journal: JournalWriter) throws {
        guard journal.pending >= maximumJournalEntries else { return }
        let (entries, _) = try Journal.read(path: journal.path)
        let kept = Journal.coalesced(entries)
        if kept.count < entries.count {
            try journal.compact(keeping: kept, absorbed: state.read().model.manifest.journalSequence ?? 0)
            logger.info("journal coalesced", metadata: ["entries": "\(entries.count)", "kept": "\(kept.count)"])
        }
        guard journal.pending < maximumJournalEntries else { throw JournalFull(entries: journal.pending) }
    }

    /// Replaces an article's editorial overrides (nil removes them), durably in `overrides.json`.
    ///
    /// - Returns: the entry stored.
    /// - Throws: `EngineError.invalidParameter` for an invalid entry; `ModelFileError` when the
    ///   file can't be written (nothing changes then).
    public func setOverrides(_ entry: EditorialOverrides.Entry?, for id: String) async throws
        -> EditorialOverrides.Entry
    {
        if let entry { try EditorialOverrides.validate(entry, for: id) }
        if shared != nil { return try await replicatedSetOverrides(entry, for: id) }
        return try await writer.perform { _ in
            // Read-modify-write of the file, so edits made with `kindred overrides` are kept.
            let stored = try OverridesFile.update(directory: self.directory.path) { $0.set(entry, for: id) }
            self.state.write(self.state.read().with(overrides: stored))
            return stored.entry(for: id) ?? .init()
        }
    }

    /// Loads the newest model of the directory and switches to it, re-applying the journal
    /// entries the new model has not absorbed. An invalid model is refused and the current one
    /// keeps serving.
    public func reload() async throws -> ReloadOutcome {
        if shared != nil { return try await replicatedReload() }
        return try await writer.perform { journal in
            let previous = self.state.read()
            let loaded: ModelDirectory.OpenedIndex
            do {
                loaded = try Self.load(directory: self.directory, logger: self.logger, current: previous)
            } catch {
                self.logger.error("reload refused", metadata: ["reason": "\(error)", "serving": "\(previous.version)"])
                throw ReloadError(description: "\(error); still serving model \(previous.version)")
            }
            self.state.write(loaded.index)
            self.noteSkipped(loaded.skipped, source: loaded.journalPath)
            self.logger.info(
                "reloaded", metadata: ["previous": "\(previous.version)", "version": "\(loaded.index.version)"])
            if previous.version != loaded.index.version { Self.returnFreedMemoryLater() }
            // Keep what any kept version still needs, so rolling back to it loses no write.
            let absorbed = loaded.index.model.manifest.journalSequence ?? 0
            let floor = min(self.directory.lowestAbsorbedJournalSequence(), absorbed)
            try journal.compact(
                keeping: Journal.coalesced(loaded.entries.filter { $0.sequence > floor }), absorbed: absorbed)
            return ReloadOutcome(
                previousVersion: previous.version, version: loaded.index.version, replayed: loaded.replayed)
        }
    }

    /// Opens the newest model of `directory` (`ModelDirectory.openLive`), logging what it loaded;
    /// the caller records the entries it skipped (`noteSkipped`).
    static func load(directory: ModelDirectory, logger: Logger, current: LiveIndex? = nil) throws
        -> ModelDirectory.OpenedIndex
    {
        let opened = try directory.openLive(reusing: current)
        logger.info(
            "model loaded",
            metadata: [
                "version": "\(opened.index.version)", "articles": "\(opened.index.articleCount)",
                "journal_replayed": "\(opened.replayed)", "overrides": "\(opened.index.overrides.entries.count)",
            ])
        return opened
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

    static func open(directory: ModelDirectory, logger: Logger) throws -> (ModelDirectory.OpenedIndex, JournalWriter) {
        let loaded = try load(directory: directory, logger: logger)
        let last = max(loaded.entries.map(\.sequence).max() ?? 0, loaded.index.model.manifest.journalSequence ?? 0)
        let absorbed = loaded.index.model.manifest.journalSequence ?? 0
        let writer = JournalWriter(
            path: loaded.journalPath, lastSequence: last, count: loaded.entries.count,
            pending: loaded.entries.count { $0.sequence > absorbed })
        return (loaded, writer)
    }
}

/// Serialises writes and owns the local journal (none for a replica: its journal is shared).
actor Writer {
    private let journal: JournalWriter?

    init(journal: JournalWriter?) { self.journal = journal }

    /// Entries the served model has not absorbed.
    var journalCount: Int { journal?.pending ?? 0 }

    func perform<T: Sendable>(_ work: (JournalWriter) throws -> T) throws -> T {
        guard let journal else { preconditionFailure("a replica writes to its shared journal") }
        return try work(journal)
    }

    /// Runs `work` alone among the writes: a replica applying what its shared journal holds.
    func run<T: Sendable>(_ work: () throws -> T) rethrows -> T { try work() }
}
