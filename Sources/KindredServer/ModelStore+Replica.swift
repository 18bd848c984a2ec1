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
            journalReachable: state.reachable, lastError: state.lastError)
    }

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
    /// Called after each own write (so the writer reads its write) and whenever the journal says
    /// it has news; entries already applied by a concurrent call are skipped.
    public func catchUp() async throws {
        let after = current.journalSequence
        let entries = try await journalCall { try $0.entries(after: after) }
        let head = entries.last?.sequence ?? after
        replica.withLock { $0.head = max($0.head, head) }
        guard !entries.isEmpty else { return }
        try await writer.run {
            var index = self.state.read()
            for entry in entries where entry.sequence > index.journalSequence {
                index = try index.applying(entry)
            }
            self.state.write(index)
        }
    }

    /// Re-reads the shared overrides, and applies them when they changed since the last read.
    public func refreshOverrides() async throws {
        let (overrides, stamp) = try await journalCall { try $0.overrides() }
        guard replica.withLock({ $0.overridesStamp }) != stamp else { return }
        await writer.run {
            self.state.write(self.state.read().with(overrides: overrides))
            self.replica.withLock { $0.overridesStamp = stamp }
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
        if positions.head > current.journalSequence { try await catchUp() }
        if positions.overridesStamp != replica.withLock({ $0.overridesStamp }) { try await refreshOverrides() }
        if let newest = positions.newestModel, newest != current.version {
            try await followPublishedModel(known: newest)
        }
    }

    func replicatedUpsert(_ article: Article) async throws -> Bool {
        let created = current.metadata(of: article.id) == nil
        try await applyOwn(try await journalCall { try $0.append(.put(article)) })
        return created
    }

    func replicatedDelete(_ id: String) async throws -> Bool {
        guard current.metadata(of: id) != nil else { return false }
        try await applyOwn(try await journalCall { try $0.append(.delete(id)) })
        return true
    }

    /// Applies this replica's own committed write: directly when it is the next entry (the usual
    /// case), else by catching up, so that no entry committed before it is skipped.
    func applyOwn(_ entry: JournalEntry) async throws {
        let applied = try await writer.run { () throws -> Bool in
            let index = self.state.read()
            if index.journalSequence >= entry.sequence { return true }
            guard index.journalSequence == entry.sequence - 1 else { return false }
            self.state.write(try index.applying(entry))
            return true
        }
        if !applied { try await catchUp() }
    }

    func replicatedSetOverrides(_ entry: EditorialOverrides.Entry?, for id: String) async throws
        -> EditorialOverrides.Entry
    {
        try await journalCall { try $0.setOverrides(entry, for: id) }
        try await refreshOverrides()
        return current.overrides.entry(for: id) ?? .init()
    }

    func replicatedApply(_ changes: [SourceChange]) async throws -> AppliedChanges {
        var outcome = AppliedChanges()
        for change in changes {
            switch change.operation {
            case .put(let article):
                _ = try await journalCall { try $0.append(.put(article)) }
                outcome.upserted += 1
            case .withdraw:
                guard current.metadata(of: change.id) != nil else {
                    outcome.absent += 1
                    continue
                }
                _ = try await journalCall { try $0.append(.delete(change.id)) }
                outcome.deleted += 1
            }
        }
        try await catchUp()
        return outcome
    }

    func replicatedReload() async throws -> ReloadOutcome {
        guard let shared else { preconditionFailure("replicatedReload without a shared journal") }
        let previous = current
        let directory = self.directory
        let opened: (index: LiveIndex, applied: Int, replayed: Int)
        do {
            opened = try await Blocking.runLong { try directory.openLive(journal: shared, reusing: previous) }
        } catch {
            logger.error("reload refused", metadata: ["reason": "\(error)", "serving": "\(previous.version)"])
            throw ReloadError(description: "\(error); still serving model \(previous.version)")
        }
        await writer.run { self.state.write(opened.index) }
        // Writes applied on the old index while the new one was opened come back with the next catch-up.
        try await catchUp()
        logger.info("reloaded", metadata: ["previous": "\(previous.version)", "version": "\(opened.index.version)"])
        if previous.version != opened.index.version { Self.returnFreedMemoryLater() }
        return ReloadOutcome(
            previousVersion: previous.version, version: opened.index.version, replayed: opened.replayed)
    }
}
