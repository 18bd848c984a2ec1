import KindredAPI
import KindredEncoder
import Logging

/// How `kindred serve` runs.
public struct ServerConfiguration: Sendable {
    /// Address to bind; loopback by default so nothing is exposed by accident.
    public var host: String
    /// TCP port.
    public var port: Int
    /// The model directory: its newest version is served, and its `journal.jsonl` holds writes.
    public var modelDirectory: String
    /// Largest request body accepted, in bytes (413 beyond it). Default 1 MiB: a long article is
    /// about 50 KB of text.
    public var maximumBodyBytes: Int
    /// Results returned when a request gives no `k`.
    public var defaultK: Int
    /// Largest `k` a request may ask for.
    public var maximumK: Int
    /// Level of the server's log lines.
    public var logLevel: Logger.Level
    /// One log line per request (`AccessLogMiddleware`), at `info`. Off by default: the metrics
    /// count and time every request, and a line per request is most of a by-id answer's work.
    public var accessLog = false
    /// When set, the routes that change state (PUT and DELETE of articles, reload) require
    /// `Authorization: Bearer <token>`; read routes stay open.
    public var adminToken: String?
    /// Longest a request may take before the client gets a 503 problem, in seconds. Default 10:
    /// hundreds of times a draft's time (docs/performance.md), so only a pathological request comes
    /// near.
    public var requestTimeout: Double
    /// Most journal entries (writes since the last reindex) accepted; beyond, PUT and DELETE get a
    /// 503 saying to reindex. Default 100,000: a busy newsroom publishes and edits a few thousand a
    /// day, and every upsert keeps its vectors in memory until the next reindex absorbs it.
    public var maximumJournalEntries: Int
    /// Seconds a connection may stay idle, or take to send its request's headers, before it is
    /// closed: a client that opens connections and never finishes them ties up nothing for long.
    public var idleTimeout: Double
    /// Names besides the bound address that requests may give as their `Host`
    /// (`HostCheckMiddleware`).
    public var allowedHosts: [String]
    /// The sentence encoder that embeds drafts and writes for the semantic channel (`serve
    /// --encoder`); nil ranks them on words alone.
    public var encoder: SentenceEncoder?
    /// Where to load the encoder from when a reload switches to a model with the channel and
    /// `encoder` is not its encoder (the folder `--encoder`, `$KINDRED_ENCODER` or the default
    /// names, when it is there): a nightly reindex that turns the channel on needs no restart.
    public var encoderDirectory: String?

    /// The defaults, which `kindred serve`'s options show and use.
    public static let defaultHost = "127.0.0.1"
    public static let defaultPort = 8080
    public static let defaultMaximumBodyBytes = 1 << 20
    public static let defaultRequestTimeout = 10.0
    public static let defaultMaximumJournalEntries = 100_000
    public static let defaultIdleTimeout = 30.0
    /// The longest `--request-timeout`, `--idle-timeout` accepted: an hour. Longer values are a
    /// mistake (1e300 seconds overflowed the timers and crashed the server).
    public static let longestTimeout = 3600.0

    public init(
        host: String = defaultHost, port: Int = defaultPort, modelDirectory: String,
        maximumBodyBytes: Int = defaultMaximumBodyBytes, defaultK: Int = ResultCount.defaultK,
        maximumK: Int = ResultCount.serverMaximum,
        logLevel: Logger.Level = .info, adminToken: String? = nil, requestTimeout: Double = defaultRequestTimeout,
        maximumJournalEntries: Int = defaultMaximumJournalEntries, idleTimeout: Double = defaultIdleTimeout,
        allowedHosts: [String] = []
    ) {
        (self.host, self.port, self.modelDirectory) = (host, port, modelDirectory)
        (self.maximumBodyBytes, self.defaultK, self.maximumK) = (maximumBodyBytes, defaultK, maximumK)
        (self.logLevel, self.adminToken, self.requestTimeout) = (logLevel, adminToken, requestTimeout)
        self.maximumJournalEntries = maximumJournalEntries
        (self.idleTimeout, self.allowedHosts) = (idleTimeout, allowedHosts)
    }
}
