import Foundation
import KindredEngine
import Logging
import ServiceLifecycle

/// Keeps a replica in step with its shared journal (`kindred serve --journal postgresql://…`):
/// woken by the journal's notifications (LISTEN/NOTIFY) and, as the safety net, at least every
/// `pollInterval` seconds, it applies the entries other replicas committed, re-reads changed
/// overrides and switches to a model `reindex --journal` published. While the database is away
/// reads go on from memory and each round fails quietly (logged once per outage); the first
/// round that reaches it again catches up, without a restart.
public struct ReplicaFollower: Service {
    let store: ModelStore
    let journal: ChangeJournal
    let pollInterval: Double
    let logger: Logger

    public static let defaultPollInterval = 1.0

    public init(store: ModelStore, journal: ChangeJournal, pollInterval: Double = defaultPollInterval, logger: Logger) {
        (self.store, self.journal, self.pollInterval, self.logger) = (store, journal, pollInterval, logger)
    }

    public func run() async throws {
        logger.info("following the shared journal", metadata: ["journal": "\(journal.name)"])
        var failing = false
        var news = JournalNews()
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                // A notification names what changed; a quiet poll (or a failing journal) compares
                // all three positions in one query.
                if news.isEmpty || failing {
                    try await store.poll()
                } else {
                    // This replica's own writes are applied already: their notices need nothing.
                    if news.journal && (news.latestSequence == 0 || news.latestSequence > store.current.journalSequence)
                    {
                        try await store.catchUp()
                    }
                    if news.overrides { try await store.refreshOverrides() }
                    if news.model { try await store.followPublishedModel() }
                }
                if failing {
                    logger.notice(
                        "shared journal reachable again; caught up",
                        metadata: ["applied_sequence": "\(store.current.journalSequence)"])
                    failing = false
                }
            } catch {
                if !failing {
                    logger.error(
                        "shared journal unreachable: serving reads from memory, refusing writes (503) until it returns",
                        metadata: ["error": "\(error)"])
                    failing = true
                }
            }
            let journal = self.journal, wait = pollInterval
            news =
                (try? await cancelWhenGracefulShutdown {
                    try await Blocking.runLong { journal.waitForNews(timeout: wait) }
                }) ?? JournalNews()
        }
    }
}
