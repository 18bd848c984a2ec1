import Foundation
import KindredAPI
import KindredEngine
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Keeps the served index in step with the publisher's database between rebuilds
/// (`kindred serve --source URL --sync-query SQL`).
///
/// Every interval it reads the rows changed since the watermark (less the overlap, see
/// `SyncState`), applies them through the store exactly as PUTs and DELETEs from the publishing
/// system would be (journal first, then the index), and then records the new watermark in the
/// model directory. A failed sync — the database down, a query error, a full journal — leaves the
/// index and the watermark as they were; the next attempt waits twice as long, up to
/// `maximumBackoff`, and a success returns to the interval. Reads are never affected.
public final class SourceSync: Service, Sendable {
    let store: ModelStore
    let feed: any ChangeFeed
    let interval: Double
    let overlap: Double
    let logger: Logger
    private let status: Mutex<SyncStatus>
    private let state: Mutex<SyncState?>
    /// Problems already reported: the overlap reads a bad row again on every sync, and it is
    /// logged and counted once.
    private let reported = Mutex<Set<String>>([])

    /// The longest wait between attempts while the source keeps failing.
    public static let maximumBackoff = 300.0
    public static let defaultInterval = 30.0
    public static let defaultOverlap = 5.0

    public init(store: ModelStore, feed: any ChangeFeed, interval: Double, overlap: Double, logger: Logger) {
        (self.store, self.feed, self.interval, self.overlap, self.logger) = (store, feed, interval, overlap, logger)
        status = Mutex(SyncStatus(source: feed.name, intervalSeconds: interval))
        state = Mutex(nil)
    }

    /// What `/v1/status` shows.
    public var currentStatus: SyncStatus {
        var current = status.withLock { $0 }
        if let success = current.lastSuccessAt.flatMap(RFC3339.parse) {
            current.lagSeconds = (Date().timeIntervalSince(success) * 1000).rounded() / 1000
        }
        return current
    }

    public func run() async throws {
        logger.info(
            "sync started", metadata: ["source": "\(feed.name)", "interval": "\(interval)", "overlap": "\(overlap)"])
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let delay: Double
            do {
                try await syncOnce()
                delay = interval
            } catch {
                let failures = status.withLock { $0.consecutiveErrors }
                delay = Self.retryDelay(failures: failures, interval: interval)
                logger.error(
                    "sync failed; serving what it has",
                    metadata: [
                        "source": "\(feed.name)", "error": "\(error)", "failures_in_a_row": "\(failures)",
                        "retry_in_seconds": "\(delay)",
                    ])
            }
            try? await gracefulShutdown(orSleep: delay)
        }
    }

    /// The wait after `failures` failed syncs in a row: the interval doubled per failure, at most
    /// `maximumBackoff` (or the interval, when that is longer).
    public static func retryDelay(failures: Int, interval: Double) -> Double {
        min(interval * pow(2, Double(min(failures, 16))), max(interval, maximumBackoff))
    }

    private func gracefulShutdown(orSleep seconds: Double) async throws {
        try await cancelWhenGracefulShutdown {
            try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
        }
    }

    /// One read and apply. Errors are recorded in the status (and rethrown for the retry).
    public func syncOnce() async throws {
        let started = Date()
        status.withLock { $0.lastAttemptAt = RFC3339.format(started) }
        do {
            var current = try await loadState()
            let since = current.since(overlap: overlap)
            let feed = self.feed
            let read = try await Blocking.runLong { try feed.changes(since: since) }
            let fresh = current.pending(read)
            let applied = try await store.apply(fresh)
            let complete = applied.taken == fresh.count
            let future = current.record(
                Array(fresh.prefix(applied.taken)), of: read, complete: complete, overlap: overlap)
            try store.directory.write(current)
            state.withLock { $0 = current }
            var skipped = 0
            for problem in read.problems where firstReport("\(problem.reason)") {
                logger.warning("sync row skipped", metadata: ["problem": "\(problem)"])
                skipped += 1
            }
            for change in future where firstReport("future \(change.id) \(change.updatedAt)") {
                logger.warning(
                    "sync row dated after the source's clock: applied, but the watermark stays at the clock so later changes are still read",
                    metadata: [
                        "id": "\(change.id)", "updated_at": "\(RFC3339.format(change.updatedAt))",
                        "source_now": "\(read.readAt.map(RFC3339.format) ?? "")",
                    ])
            }
            if !complete {
                logger.warning(
                    "the journal is full: \(fresh.count - applied.taken) changes wait; run 'kindred reindex' and reload to absorb the journal, and the next syncs apply them",
                    metadata: ["applied": "\(applied.taken)", "waiting": "\(fresh.count - applied.taken)"])
            }
            status.withLock {
                $0.lastSuccessAt = RFC3339.format(started)
                $0.watermark = RFC3339.format(current.watermark)
                $0.upserted += applied.upserted
                $0.deleted += applied.deleted
                $0.skipped += skipped
                $0.futureRows = future.count
                $0.waiting = fresh.count - applied.taken
                $0.consecutiveErrors = 0
            }
            SyncMetrics.record(applied: applied, skipped: skipped, watermark: current.watermark, success: started)
            if !fresh.isEmpty || skipped > 0 {
                logger.info(
                    "synced",
                    metadata: [
                        "upserted": "\(applied.upserted)", "deleted": "\(applied.deleted)",
                        "absent": "\(applied.absent)", "skipped": "\(skipped)",
                        "watermark": "\(RFC3339.format(current.watermark))",
                    ])
            }
        } catch {
            status.withLock {
                $0.errors += 1
                $0.consecutiveErrors += 1
                $0.lastError = "\(error)"
            }
            SyncMetrics.recordError()
            throw error
        }
    }

    /// Whether `key` is reported for the first time (the set is bounded: past 100,000 it starts over).
    private func firstReport(_ key: String) -> Bool {
        reported.withLock {
            if $0.count > 100_000 { $0.removeAll() }
            return $0.insert(key).inserted
        }
    }

    /// The state in memory, else the model directory's, else a first watermark from the source's
    /// clock (written at once, so that a restart continues from it).
    private func loadState() async throws -> SyncState {
        if let current = state.withLock({ $0 }) { return current }
        if let stored = try store.directory.syncState() {
            state.withLock { $0 = stored }
            return stored
        }
        let feed = self.feed
        let first = SyncState(watermark: try await Blocking.runLong { try feed.now() })
        try store.directory.write(first)
        logger.notice(
            "no sync watermark in the model directory: syncing changes from now; reindex from the source for earlier ones",
            metadata: ["watermark": "\(RFC3339.format(first.watermark))"])
        state.withLock { $0 = first }
        return first
    }

}

/// The sync's Prometheus series.
enum SyncMetrics {
    static func record(applied: ModelStore.AppliedChanges, skipped: Int, watermark: Date, success: Date) {
        _ = ServerMetrics.registry
        Counter(label: "kindred_sync_rows_total", dimensions: [("operation", "upsert")]).increment(by: applied.upserted)
        Counter(label: "kindred_sync_rows_total", dimensions: [("operation", "delete")]).increment(by: applied.deleted)
        Counter(label: "kindred_sync_rows_skipped_total").increment(by: skipped)
        Gauge(label: "kindred_sync_watermark_timestamp_seconds").record(watermark.timeIntervalSince1970)
        Gauge(label: "kindred_sync_last_success_timestamp_seconds").record(success.timeIntervalSince1970)
    }

    static func recordError() {
        _ = ServerMetrics.registry
        Counter(label: "kindred_sync_errors_total").increment()
    }

    /// Refreshed on every scrape: seconds since the last successful sync started.
    static func update(_ status: SyncStatus) {
        _ = ServerMetrics.registry
        if let lag = status.lagSeconds { Gauge(label: "kindred_sync_lag_seconds").record(lag) }
        Gauge(label: "kindred_sync_consecutive_errors").record(status.consecutiveErrors)
    }
}
