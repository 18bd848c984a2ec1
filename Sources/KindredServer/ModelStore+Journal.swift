import Foundation
import KindredAPI
import KindredEngine
import Logging
import Synchronization

/// What a store knows of its journal, for `/v1/status`, `/readyz` and `/metrics`.
struct JournalPosition: Sendable {
    var reachable = true
    var head = 0
    var lastError: String?
    var overridesStamp = -1
    /// Entries the served model has not absorbed (`ModelStore.journalLength`).
    var pending = 0
    /// Whether the journal's entries have been applied once since the start: until then a
    /// replica serves its model's articles only, and `/readyz` says so.
    var caughtUp = false
}

/// The one write path, and how a store keeps up with its journal: the same steps, limits and
/// batching for the directory's own journal and for one replicas share. On a shared journal the
/// catch-up before each write applies what the other replicas wrote, so that whether an article
/// is new, or there at all to withdraw, is decided on every write committed before this one; on
/// the directory's own it finds nothing and costs no read.
extension ModelStore {
    /// A write refused because the journal can't be reached or written: nothing was written, and
    /// the client should retry (503, `Retry-After`). Reads go on from memory.
    public struct JournalUnavailable: Error, CustomStringConvertible {
        public let journal: String
        public let reason: String
        public static let retryAfterSeconds = 5
        public var description: String {
            "the journal \(journal) can't be reached or written (\(reason)); nothing was written: retry in a few seconds"
        }
    }

    /// The store's place in a shared journal (`/v1/status`, `/readyz`, `/metrics`); nil on the
    /// directory's own journal, which has no one else to keep up with.
    public var replicaStatus: ReplicaStatus? {
        guard journal.isShared else { return nil }
        let position = position.withLock { $0 }
        let applied = current.journalSequence
        return ReplicaStatus(
            journal: journal.name, appliedSequence: applied, headSequence: max(position.head, applied),
            journalReachable: position.reachable, lastError: position.lastError, caughtUp: position.caughtUp)
    }

    /// Runs a journal call, recording whether it answered; its failure is `JournalUnavailable`.
    func call<T>(_ work: () throws -> T) throws -> T {
        do {
            let value = try work()
            position.withLock {
                $0.reachable = true
                $0.lastError = nil
            }
            return value
        } catch {
            position.withLock {
                $0.reachable = false
                $0.lastError = "\(error)"
            }
            throw JournalUnavailable(journal: journal.name, reason: "\(error)")
        }
    }

    /// Writes what `plan` decides, on the index caught up with the journal and with the room the
    /// journal has left (`maximumJournalEntries`, after coalescing a full journal once): appended
    /// in one durable step, applied, swapped in. A plan with no entries writes nothing.
    ///
    /// - Throws: `JournalFull` when there is no room; `JournalUnavailable` when the journal can't
    ///   be reached or written (nothing was written then).
    func commit<T: Sendable>(
        _ plan: @escaping @Sendable (_ index: LiveIndex, _ room: Int) -> (entries: [JournalEntry], outcome: T)
    ) async throws -> T {
        try await Blocking.run {
            try self.writes.withLock { _ in
                let index = try self.catchUpLocked()
                let absorbed = index.model.manifest.journalSequence ?? 0
                // The count kept since the last write, catch-up or reload; the journal is asked only
                // at the limit, where another server's coalescing may have made room.
                var pending = self.position.withLock { $0.pending }
                if pending >= self.maximumJournalEntries {
                    pending = try self.call { try self.journal.count(after: absorbed) }
                }
                if pending >= self.maximumJournalEntries {
                    try self.call { try self.journal.coalesce() }
                    let before = pending
                    pending = try self.call { try self.journal.count(after: absorbed) }
                    self.logger.info("journal coalesced", metadata: ["entries": "\(before)", "kept": "\(pending)"])
                }
                let (drafts, outcome) = plan(index, self.maximumJournalEntries - pending)
                guard !drafts.isEmpty else { return outcome }
                guard pending < self.maximumJournalEntries else { throw JournalFull(entries: pending) }
                let entries = try self.call { try self.journal.append(drafts) }
                self.position.withLock { $0.pending = pending }
                self.applyLocked(entries, on: index)
                return outcome
            }
        }
    }

    /// Applies this store's own committed entries: directly when they follow the index (the
    /// usual case), else by catching up, so that no entry committed before them is skipped. They
    /// are committed whatever happens here: when a shared journal can't be read for the catch-up,
    /// the follower applies them once it answers, and the client is not told otherwise.
    private func applyLocked(_ entries: [JournalEntry], on index: LiveIndex) {
        let contiguous = entries.enumerated().allSatisfy {
            $0.element.sequence == index.journalSequence + 1 + $0.offset
        }
        if contiguous {
            state.write(index.replaying(entries))
            position.withLock { $0.pending += entries.count }
            return
        }
        // The catch-up counts them with the other servers' entries it applies.
        do {
            _ = try catchUpLocked()
        } catch {
            logger.warning(
                "write committed to the journal but not applied here yet; the follower applies it when the journal answers",
                metadata: ["sequence": "\(entries.last?.sequence ?? 0)", "error": "\(error)"])
        }
    }

    /// Applies, in sequence order, every entry committed after the one this store applied last,
    /// and swaps the result in; returns it. Holds `writes`.
    @discardableResult
    func catchUpLocked() throws -> LiveIndex {
        let index = state.read()
        let read = try call { try journal.entries(after: index.journalSequence) }
        position.withLock {
            $0.head = max($0.head, read.last ?? index.journalSequence)
            $0.caughtUp = true
        }
        noteSkipped(read.skipped)
        guard read.last != nil else { return index }
        var next = index.replaying(read.entries)
        if let last = read.last { next = next.passing(last) }
        position.withLock { $0.pending += read.entries.count }
        state.write(next)
        return next
    }

    /// Applies what other servers committed to the journal since this one's last entry: called by
    /// the follower whenever the journal says it has news.
    public func catchUp() async throws {
        try await Blocking.run { try self.writes.withLock { _ in _ = try self.catchUpLocked() } }
    }

    /// Re-reads the journal's overrides, and applies them when they changed since the last read.
    public func refreshOverrides() async throws {
        try await Blocking.run { try self.writes.withLock { _ in try self.refreshOverridesLocked(force: false) } }
    }

    func refreshOverridesLocked(force: Bool) throws {
        let read = try call { try journal.overrides() }
        noteSkipped(read.skipped)
        guard force || position.withLock({ $0.overridesStamp }) != read.stamp else { return }
        state.write(state.read().with(overrides: read.overrides))
        position.withLock { $0.overridesStamp = read.stamp }
    }

    /// Switches to the newest version the journal says was published, when it is not the one
    /// being served (replicas follow `reindex --journal` without a signal).
    ///
    /// - Parameter known: the newest version when the caller has just read it (a poll).
    public func followPublishedModel(known: String? = nil) async throws {
        let newest: String?
        if let known {
            newest = known
        } else {
            newest = try await Blocking.run { try self.call { try self.journal.positions() } }.newestModel
        }
        guard let newest, newest != current.version else { return }
        guard directory.versions().contains(newest) else {
            logger.warning(
                "published model not in the model directory yet",
                metadata: ["version": "\(newest)", "directory": "\(directory.path)"])
            return
        }
        _ = try await reload()
    }

    /// One poll: compares the journal's positions with this store's and does only what they show
    /// is needed (catch up, re-read the overrides, switch models).
    public func poll() async throws {
        let positions = try await Blocking.run { try self.call { try self.journal.positions() } }
        position.withLock { $0.head = max($0.head, positions.head) }
        if positions.head > current.journalSequence || !position.withLock({ $0.caughtUp }) { try await catchUp() }
        if positions.overridesStamp != position.withLock({ $0.overridesStamp }) { try await refreshOverrides() }
        if let newest = positions.newestModel, newest != current.version {
            try await followPublishedModel(known: newest)
        }
    }

    /// Loads the newest model of the directory and switches to it, with the journal's entries it
    /// has not absorbed re-applied, then lets the journal drop what no kept version needs
    /// (`ChangeJournal.compact`). An invalid model, or one built from another journal, is refused
    /// and the current one keeps serving.
    public func reload() async throws -> ReloadOutcome {
        let previous = current
        let directory = self.directory
        let loaded: LiveIndex
        do {
            loaded = try await Blocking.runLong { try directory.openModel(reusing: previous) }
        } catch {
            logger.error("reload refused", metadata: ["reason": "\(error)", "serving": "\(previous.version)"])
            throw ReloadError(description: "\(error); still serving model \(previous.version)")
        }
        let opened = try await Blocking.run {
            try self.writes.withLock { _ in
                let opened: ModelDirectory.OpenedIndex
                do {
                    opened = try ModelDirectory.catchUp(loaded, journal: self.journal)
                } catch {
                    self.logger.error(
                        "reload refused", metadata: ["reason": "\(error)", "serving": "\(previous.version)"])
                    throw ReloadError(description: "\(error); still serving model \(previous.version)")
                }
                let absorbed = opened.index.model.manifest.journalSequence ?? 0
                self.state.write(opened.index)
                self.noteSkipped(opened.skipped)
                // Keep what any kept version still needs, so rolling back to it loses no write. A
                // compaction that fails leaves a longer journal, not a wrong one.
                do {
                    try self.journal.compact(through: min(directory.lowestAbsorbedJournalSequence(), absorbed))
                } catch {
                    self.logger.warning("journal not compacted after the reload", metadata: ["error": "\(error)"])
                }
                let pending = try self.call { try self.journal.count(after: absorbed) }
                self.position.withLock {
                    $0.overridesStamp = opened.overridesStamp
                    $0.pending = pending
                    $0.caughtUp = true
                }
                return opened
            }
        }
        logger.info(
            "reloaded",
            metadata: [
                "previous": "\(previous.version)", "version": "\(opened.index.version)",
                "journal_replayed": "\(opened.replayed)",
            ])
        if previous.version != opened.index.version { Self.returnFreedMemoryLater() }
        await adoptEncoder(for: opened.index.model)
        return ReloadOutcome(
            previousVersion: previous.version, version: opened.index.version, replayed: opened.replayed)
    }
}
