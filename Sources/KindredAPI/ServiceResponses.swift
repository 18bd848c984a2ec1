import Foundation

/// `GET /v1/status`: what the console's status line shows.
public struct ServiceStatus: Codable, Sendable {
    public var model: ModelInfo
    public var articles: Int
    public var dimensions: Int
    public var terms: Int
    public var blas: String
    /// Writes since the model was built (not yet absorbed by a reindex).
    public var journalEntries: Int
    /// Journal entries skipped since the server started: they can't be read or applied (the log
    /// names each once, with its line or sequence). The entries after them are applied.
    public var journalSkipped: Int
    /// Articles with editorial overrides.
    public var overrides: Int
    /// The sync from a source database, when the server runs one (`--sync-query`).
    public var sync: SyncStatus?
    /// The shared journal, when the server is a replica (`--journal postgresql://…`).
    public var replica: ReplicaStatus?
    /// The semantic channel: `on (encoder, checksum, word pieces, articles)` or `off (how to turn it on)`.
    public var semantic: String

    public init(
        model: ModelInfo, articles: Int, dimensions: Int, terms: Int, blas: String, journalEntries: Int,
        journalSkipped: Int = 0, overrides: Int, sync: SyncStatus? = nil, replica: ReplicaStatus? = nil,
        semantic: String = "off"
    ) {
        self.semantic = semantic
        (self.model, self.articles, self.dimensions, self.terms) = (model, articles, dimensions, terms)
        self.journalSkipped = journalSkipped
        (self.blas, self.journalEntries, self.overrides, self.sync) = (blas, journalEntries, overrides, sync)
        self.replica = replica
    }
}

/// A replica's place in its shared journal (`GET /v1/status`'s `replica`).
public struct ReplicaStatus: Codable, Sendable, Equatable {
    /// The journal's URL, password redacted.
    public var journal: String
    /// The last entry applied here, the last committed, and how many entries this replica is behind.
    public var appliedSequence: Int
    public var headSequence: Int
    public var lagEntries: Int
    /// Whether the last call to the journal succeeded; while false, writes get 503.
    public var journalReachable: Bool
    public var lastError: String?
    /// Whether the journal's writes have been applied since the start. False while a replica that
    /// started with its journal away serves its model's articles alone.
    public var caughtUp: Bool

    public init(
        journal: String, appliedSequence: Int, headSequence: Int, journalReachable: Bool, lastError: String?,
        caughtUp: Bool = true
    ) {
        (self.journal, self.appliedSequence, self.headSequence) = (journal, appliedSequence, headSequence)
        (self.lagEntries, self.journalReachable, self.lastError) =
            (max(0, headSequence - appliedSequence), journalReachable, lastError)
        self.caughtUp = caughtUp
    }
}

/// How the sync from a source database is doing (`GET /v1/status`'s `sync`).
public struct SyncStatus: Codable, Sendable, Equatable {
    /// The source, password redacted.
    public var source: String
    public var intervalSeconds: Double
    /// The newest `updated_at` applied (RFC 3339), when known.
    public var watermark: String?
    /// When the last sync started and when the last one succeeded (RFC 3339).
    public var lastAttemptAt: String?
    public var lastSuccessAt: String?
    /// Seconds since the last successful sync started: what a change may wait before it is served,
    /// beyond the interval.
    public var lagSeconds: Double?
    /// Rows applied since the server started: PUTs and DELETEs.
    public var upserted: Int
    public var deleted: Int
    /// Rows skipped since the server started (invalid), each counted
    /// once however often the overlap reads it again; the log has each.
    public var skipped: Int
    /// Rows of the last read dated after the source's clock: applied, but the watermark stays at
    /// the clock (a bad `updated_at`, or a CMS clock running fast). The log names each once.
    public var futureRows: Int
    /// Changes read but not applied because the journal is full: applied by the syncs after the
    /// next reindex and reload.
    public var waiting: Int
    /// Failed syncs since the server started, and in a row now (the retry backs off with them).
    public var errors: Int
    public var consecutiveErrors: Int
    public var lastError: String?

    public init(source: String, intervalSeconds: Double) {
        (self.source, self.intervalSeconds) = (source, intervalSeconds)
        (upserted, deleted, skipped, errors, consecutiveErrors) = (0, 0, 0, 0, 0)
        (futureRows, waiting) = (0, 0)
    }
}

/// The answer to an upsert.
public struct UpsertResponse: Codable, Sendable {
    public var id: String
    public var created: Bool
    public var model: ModelInfo

    public init(id: String, created: Bool, model: ModelInfo) {
        (self.id, self.created, self.model) = (id, created, model)
    }
}

/// The answer to a reload.
public struct ReloadResponse: Codable, Sendable {
    public var previousVersion: String
    public var version: String
    public var changed: Bool
    public var journalReplayed: Int

    public init(previousVersion: String, version: String, changed: Bool, journalReplayed: Int) {
        (self.previousVersion, self.version) = (previousVersion, version)
        (self.changed, self.journalReplayed) = (changed, journalReplayed)
    }
}

/// `GET /healthz` and `GET /readyz`.
public struct StatusResponse: Codable, Sendable {
    public var status: String
    public var model: ModelInfo?
    public var articles: Int?
    /// For a replica: `reachable`, or `unreachable` while writes get 503 (reads still answer).
    public var journal: String?

    public init(status: String, model: ModelInfo? = nil, articles: Int? = nil, journal: String? = nil) {
        (self.status, self.model, self.articles, self.journal) = (status, model, articles, journal)
    }
}
