import Foundation
import KindredAPI
import KindredEngine
import Logging
import Synchronization

/// What a replica knows of its shared journal, for `/v1/status`, `/readyz` and `/metrics`.
struct ReplicaState: Sendable {
    var reachable = true
    var head = 0
    var lastError: String?
    var overridesStamp = -1
    /// Whether the journal's entries have been applied once since the start: until then the
    /// replica serves its model's articles only, and `/readyz` says so.
    var caughtUp = false
}

extension ModelStore {
    /// A write refused because the shared journal can't be reached: nothing was written, and the
    /// client should retry (503, `Retry-After`). Reads go on from memory.
    public struct JournalUnavailable: Error, CustomStringConvertible {
        public let journal: String
        public let reason: String
        public static let retryAfterSeconds = 5
        public var description: String {
            "the shared journal \(journal) can't be reached (\(reason)); nothing was written: retry in a few seconds"
        }
    }

    /// The replica's place in its shared journal (`/v1/status`, `/readyz`, `/metrics`); nil
    /// unless this server is a replica.
    public var replicaStatus: ReplicaStatus? {
        guard let shared else { return nil }
        let state = replica.withLock { $0 }
        let applied = current.journalSequence
        return ReplicaStatus(
            journal: shared.name, appliedSequence: applied, headSequence: max(state.head, applied),
            journalReachable: state.reachable, lastError: state.lastError, caughtUp: state.caughtUp)
    }

    /// Entries of the shared journal applied on top of the model (a sequence span: rolled-back
    /// writes leave gaps, so it may count a few more than there are).
    var replicatedJournalLength: Int { current.journalSequence - (current.model.manifest.journalSequence ?? 0) }

    /// Runs a call to the shared journal off the request threads, recording whether it answered.
    func journalCall<T: Sendable>(_ work: @escaping @Sendable (SharedJournal) throws -> T) async throws -> T {
        guard let shared else { preconditionFailure("journalCall on a server without a shared journal") }
        do {
            let value = try await Blocking.run { try work(shared) }
            replica.withLock {
                $0.reachable = true
                $0.lastError = nil
            }
            return value
        } catch {
            replica.withLock {
                $0.reachable = false
                $0.lastError = "\(error)"
            }
            throw JournalUnavailable(journal: shared.name, reason: "\(error)")
        }
    }

    /// Applies, in sequence order, every entry committed after the one this replica applied last.
    /// Called before each own write (so that it decides on what every replica wrote before it),
    /// after it (so the writer reads its write), and whenever the journal says it has news.
    ///
    /// The read happens outside the writer (it waits on the database), so the index may have
    /// moved meanwhile. Entries are applied only onto an index at or past the point the read
    /// started from; an index behind it (a reload swapped in a model opened earlier) would get a
    /// gap, so the read is done again from where that index stands.
    public func catchUp() async throws {
        for _ in 0..<8 {
            let after = current.journalSequence
            let read = try await journalCall { try $0.entries(after: after) }
            let head = read.last ?? after
            replica.withLock { $0.head = max($0.head, head) }
            let applied = await writer.run { () -> Bool in
                let index = self.state.read()
                guard index.journalSequence >= after else { return false }
                var next = index.replaying(read.entries)
                if let last = read.last { next = next.passing(last) }
                self.state.write(next)
                return true
            }
            noteSkipped(read.skipped, source: shared?.name ?? "")
            if applied {
                replica.withLock { $0.caughtUp = true }
                return
            }
        }
        throw JournalUnavailable(
            journal: shared?.name ?? "", reason: "the index kept moving back while catching up (reloads in a row)")
    }

    /// Re-reads the shared overrides, and applies them when they changed since the last read.
    public func refreshOverrides() async throws {
        let read = try await journalCall { try $0.overrides() }
        noteSkipped(read.skipped, source: shared?.name ?? "")
        guard replica.withLock({ $0.overridesStamp }) != read.stamp else { return }
        await writer.run {
            self.state.write(self.state.read().with(overrides: read.overrides))
            self.replica.withLock { $0.overridesStamp = read.stamp }
        }
    }

    /// Switches to the newest version the shared journal says was published, when it is not the
    /// one being served (replicas follow `reindex --journal` without a signal).
    ///
    /// - Parameter known: the newest version when the caller has just read it (a poll).
    public func followPublishedModel(known: String? = nil) async throws {
        let newest: String?
        if let known { newest = known } else { newest = try await journalCall { try $0.positions() }.newestModel }
        guard let newest, newest != current.version else { return }
        guard directory.versions().contains(newest) else {
            logger.warning(
                "published model not in the model directory yet",
                metadata: ["version": "\(newest)", "directory": "\(directory.path)"])
            return
        }
        _ = try await replicatedReload()
    }

    /// One poll: compares the journal's positions with this replica's and does only what they
    /// show is needed (catch up, re-read the overrides, switch models).
    public func poll() async throws {
        let positions = try await journalCall { try $0.positions() }
        replica.withLock { $0.head = max($0.head, positions.head) }
        if positions.head > current.journalSequence || !replica.withLock({ $0.caughtUp }) { try await catchUp() }
        if positions.overridesStamp != replica.withLock({ $0.overridesStamp }) { try await refreshOverrides() }
        if let newest = positions.newestModel, newest != current.version {
            try await followPublishedModel(known: newest)
        }
    }

    /// Refuses a write when the shared journal holds `maximumJournalEntries` since the model.
    func checkReplicatedRoom(adding count: Int = 1) throws {
        let length = replicatedJournalLength
        guard length + count <= maximumJournalEntries else { throw JournalFull(entries: length) }
    }

    /// Catches up, then appends: whether the article is new, or there at all for a withdrawal,
    /// is decided on every write committed before this one, on whichever replica.
    func replicatedUpsert(_ received: ReceivedArticle, meaning: ArticleMeaning?) async throws -> Bool {
        try await catchUp()
        try checkReplicatedRoom()
        let created = current.metadata(of: received.article.id) == nil
        let entry = try await journalCall { try $0.append(.put(received), meaning: meaning) }
        await applyCommitted(entry)
        return created
    }

    func replicatedDelete(_ id: String) async throws -> Bool {
        try await catchUp()
        guard current.metadata(of: id) != nil else { return false }
        try checkReplicatedRoom()
        let entry = try await journalCall { try $0.append(.delete(id), meaning: nil) }
        await applyCommitted(entry)
        return true
    }

    /// Applies this replica's own committed write: directly when it is the next entry (the usual
    /// case), else by catching up, so that no entry committed before it is skipped. The write is
    /// committed whatever happens here: when the journal can't be reached for the catch-up, the
    /// follower applies it once the journal is back, and the client is not told otherwise.
    func applyCommitted(_ entry: JournalEntry) async {
        let applied = await writer.run { () -> Bool in
            let index = self.state.read()
            if index.journalSequence >= entry.sequence { return true }
            guard index.journalSequence == entry.sequence - 1 else { return false }
            self.state.write(index.applying(entry))
            return true
        }
        guard !applied else { return }
        do {
            try await catchUp()
        } catch {
            logger.warning(
                "write committed to the shared journal but not applied here yet; the follower applies it when the journal answers",
                metadata: ["sequence": "\(entry.sequence)", "error": "\(error)"])
        }
    }

    func replicatedSetOverrides(_ entry: EditorialOverrides.Entry?, for id: String) async throws
        -> EditorialOverrides.Entry
    {
        try await journalCall { try $0.setOverrides(entry, for: id) }
        try await refreshOverrides()
        return current.overrides.entry(for: id) ?? .init()
    }

    func replicatedApply(_ changes: [SourceChange], meanings: [ArticleMeaning?]) async throws -> AppliedChanges {
        try await catchUp()
        if !changes.isEmpty { try checkReplicatedRoom() }
        let room = maximumJournalEntries - replicatedJournalLength
        var outcome = AppliedChanges()
        for (change, meaning) in zip(changes, meanings) {
            guard outcome.upserted + outcome.deleted < room else { break }
            outcome.taken += 1
            switch change.operation {
            case .put(let received):
                _ = try await journalCall { try $0.append(.put(received), meaning: meaning) }
                outcome.upserted += 1
            case .withdraw:
                guard current.metadata(of: change.id) != nil else {
                    outcome.absent += 1
                    continue
                }
                _ = try await journalCall { try $0.append(.delete(change.id), meaning: nil) }
                outcome.deleted += 1
            }
        }
        try? await catchUp()
        return outcome
    }

    func replicatedReload() async throws -> ReloadOutcome {
        guard let shared else { preconditionFailure("replicatedReload without a shared journal") }
        let previous = current
        let directory = self.directory
        let opened: ModelDirectory.SharedOpening
        do {
            opened = try await Blocking.runLong { try directory.openLive(journal: shared, reusing: previous) }
        } catch {
            logger.error("reload refused", metadata: ["reason": "\(error)", "serving": "\(previous.version)"])
            throw ReloadError(description: "\(error); still serving model \(previous.version)")
        }
        noteSkipped(opened.skipped, source: shared.name)
        await writer.run {
            self.state.write(opened.index)
            self.replica.withLock { $0.overridesStamp = opened.overridesStamp }
        }
        // Writes applied on the old index while the new one was opened come back with the next catch-up.
        try await catchUp()
        logger.info("reloaded", metadata: ["previous": "\(previous.version)", "version": "\(opened.index.version)"])
        if previous.version != opened.index.version { Self.returnFreedMemoryLater() }
        return ReloadOutcome(
            previousVersion: previous.version, version: opened.index.version, replayed: opened.replayed)
    }
}
