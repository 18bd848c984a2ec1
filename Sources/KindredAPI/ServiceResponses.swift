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
    /// Articles with editorial overrides.
    public var overrides: Int

    public init(
        model: ModelInfo, articles: Int, dimensions: Int, terms: Int, blas: String, journalEntries: Int, overrides: Int
    ) {
        (self.model, self.articles, self.dimensions, self.terms) = (model, articles, dimensions, terms)
        (self.blas, self.journalEntries, self.overrides) = (blas, journalEntries, overrides)
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

    public init(status: String, model: ModelInfo? = nil, articles: Int? = nil) {
        (self.status, self.model, self.articles) = (status, model, articles)
    }
}
