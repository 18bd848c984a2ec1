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

    public init(
        host: String = "127.0.0.1", port: Int = 8080, modelDirectory: String, maximumBodyBytes: Int = 1 << 20,
        defaultK: Int = 10, maximumK: Int = 100, logLevel: Logger.Level = .info, adminToken: String? = nil
    ) {
        self.host = host
        self.port = port
        self.modelDirectory = modelDirectory
        self.maximumBodyBytes = maximumBodyBytes
        self.defaultK = defaultK
        self.maximumK = maximumK
        self.logLevel = logLevel
        self.adminToken = adminToken
    }
}
