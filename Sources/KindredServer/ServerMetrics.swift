import Foundation
import KindredAPI
import KindredEngine
import Metrics
import Prometheus
import Synchronization

/// Prometheus metrics through swift-metrics: Hummingbird's `MetricsMiddleware` records requests and
/// latency per route, method and status; the gauges here describe the model and the journal and
/// are refreshed on every scrape.
public enum ServerMetrics {
    /// The registry `/metrics` renders. Bootstraps swift-metrics on first use (once per process).
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Kindred's answers take well under the library's smallest default bucket: finer ones here.
        factory.defaultDurationHistogramBuckets = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .seconds(5),
        ]
        // Prometheus names allow [a-zA-Z0-9_:]; swift-metrics labels use dots.
        factory.nameAndLabelSanitizer = { name, labels in
            (sanitize(name), labels.map { (sanitize($0.0), $0.1) })
        }
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// By-id requests whose list had to be searched for (their `k` or filters beyond the
    /// precomputed list): `kindred_by_id_searches_total`.
    static let byIDSearches: Metrics.Counter = {
        _ = registry
        return Metrics.Counter(label: "kindred_by_id_searches_total")
    }()

    static func sanitize(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" ? $0 : "_" })
    }

    /// Sets the model and journal gauges from the current state.
    static func update(index: LiveIndex, journalLength: Int, skipped: Int) {
        _ = registry
        let manifest = index.model.manifest
        Gauge(label: "kindred_model_articles").record(index.articleCount)
        Gauge(label: "kindred_model_dimensions").record(manifest.dimensions)
        Gauge(label: "kindred_model_built_timestamp_seconds").record(manifest.createdAt.timeIntervalSince1970)
        Gauge(label: "kindred_model_age_seconds").record(Date().timeIntervalSince(manifest.createdAt))
        Gauge(label: "kindred_journal_entries").record(journalLength)
        Gauge(label: "kindred_journal_skipped_entries").record(skipped)
        Gauge(label: "kindred_model_info", dimensions: [("version", index.version)]).record(1)
        for old in versionsSeen.withLock({ seen -> [String] in
            let others = seen.subtracting([index.version])
            seen = [index.version]
            return Array(others)
        }) {
            Gauge(label: "kindred_model_info", dimensions: [("version", old)]).record(0)
        }
    }

    /// A replica's place in its shared journal: `kindred_replica_applied_sequence`,
    /// `kindred_journal_head_sequence`, `kindred_replica_lag_entries`, `kindred_journal_reachable`.
    static func update(replica: ReplicaStatus) {
        _ = registry
        Gauge(label: "kindred_replica_applied_sequence").record(replica.appliedSequence)
        Gauge(label: "kindred_journal_head_sequence").record(replica.headSequence)
        Gauge(label: "kindred_replica_lag_entries").record(replica.lagEntries)
        Gauge(label: "kindred_journal_reachable").record(replica.journalReachable ? 1 : 0)
        Gauge(label: "kindred_replica_caught_up").record(replica.caughtUp ? 1 : 0)
    }

    private static let versionsSeen = Mutex<Set<String>>([])

    /// The text exposition format.
    static func render() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
