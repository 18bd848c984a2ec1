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
    /// When set, the routes that change state (PUT and DELETE of articles, reload) require
    /// `Authorization: Bearer <token>`; read routes stay open.
    public var adminToken: String?
    /// Longest a request may take before the client gets a 503 problem, in seconds. Default 10: a
    /// draft query on a 64k-article model takes 35 ms, so only a pathological request comes near.
    public var requestTimeout: Double
    /// Most journal entries (writes since the last reindex) accepted; beyond, PUT and DELETE get a
    /// 503 saying to reindex. Default 100,000: a busy newsroom publishes and edits a few thousand a
    /// day, and every upsert keeps its vectors in memory until the next reindex absorbs it.
    public var maximumJournalEntries: Int

    public init(
        host: String = "127.0.0.1", port: Int = 8080, modelDirectory: String, maximumBodyBytes: Int = 1 << 20,
        defaultK: Int = 10, maximumK: Int = 100, logLevel: Logger.Level = .info, adminToken: String? = nil,
        requestTimeout: Double = 10, maximumJournalEntries: Int = 100_000
    ) {
        self.host = host
        self.port = port
        self.modelDirectory = modelDirectory
        self.maximumBodyBytes = maximumBodyBytes
        self.defaultK = defaultK
        self.maximumK = maximumK
        self.logLevel = logLevel
        self.adminToken = adminToken
        self.requestTimeout = requestTimeout
        self.maximumJournalEntries = maximumJournalEntries
    }
}
