import Foundation
import KindredEngine

/// The model a response was computed with.
public struct ModelInfo: Codable, Sendable, Equatable {
    public var version: String
    public var builtAt: String

    public init(_ index: LiveIndex) {
        version = index.version
        builtAt = RFC3339.format(index.model.manifest.createdAt)
    }
}

/// One ranked article in a response.
public struct RelatedResult: Codable, Sendable, Equatable {
    public var id: String
    public var title: String
    public var url: String?
    public var section: String?
    public var publishedAt: String?
    public var score: Double

    public init(_ related: RelatedArticle) {
        id = related.article.id
        title = related.article.title
        url = related.article.url
        section = related.article.section
        publishedAt = related.article.publishedAt.map(RFC3339.format)
        score = Self.rounded(related.score)
    }

    /// Scores to four decimals: more is noise from single-precision arithmetic.
    public static func rounded(_ score: Float) -> Double { (Double(score) * 10_000).rounded() / 10_000 }

    /// Every key is written, `null` when absent, so clients see one fixed shape.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(title, forKey: .title)
        try container.encode(url, forKey: .url)
        try container.encode(section, forKey: .section)
        try container.encode(publishedAt, forKey: .publishedAt)
        try container.encode(score, forKey: .score)
    }
}

/// `{"id", "model", "results"}`: the answer of the related routes (and of `kindred related --json`,
/// which has no `model`).
public struct RelatedResponse: Codable, Sendable {
    public var id: String?
    public var model: ModelInfo?
    public var results: [RelatedResult]

    public init(id: String?, model: ModelInfo?, results: [RelatedArticle]) {
        self.id = id
        self.model = model
        self.results = results.map(RelatedResult.init)
    }
}

/// An article's stored metadata.
public struct ArticleResponse: Codable, Sendable {
    public var id: String
    public var title: String
    public var url: String?
    public var section: String?
    public var publishedAt: String?
    public var language: String
    public var tags: [String]

    init(_ metadata: ArticleMetadata) {
        id = metadata.id
        title = metadata.title
        url = metadata.url
        section = metadata.section
        publishedAt = metadata.publishedAt.map(RFC3339.format)
        language = metadata.language
        tags = metadata.tags
    }
}

/// The answer to an upsert.
struct UpsertResponse: Codable, Sendable {
    var id: String
    var created: Bool
    var model: ModelInfo
}

/// The answer to a reload.
struct ReloadResponse: Codable, Sendable {
    var previousVersion: String
    var version: String
    var changed: Bool
    var journalReplayed: Int
}

struct StatusResponse: Codable, Sendable {
    var status: String
    var model: ModelInfo?
    var articles: Int?
}

enum JSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
