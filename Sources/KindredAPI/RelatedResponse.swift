import Foundation
import KindredEngine

/// The model a response was computed with.
public struct ModelInfo: Codable, Sendable, Equatable {
    public var version: String
    public var builtAt: String

    /// Spelled as sent (`JSONCoding.literalKeysEncoder`).
    enum CodingKeys: String, CodingKey {
        case version
        case builtAt = "built_at"
    }

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
    /// `related`, `pinned` (by an editor) or `fallback` (filling a short list).
    public var reason: String
    /// The draft already links to this article (with `linked=flag`).
    public var alreadyLinked: Bool
    public var explanation: Explanation?

    /// Spelled as sent (`JSONCoding.literalKeysEncoder`).
    enum CodingKeys: String, CodingKey {
        case id, title, url, section, score, reason, explanation
        case publishedAt = "published_at"
        case alreadyLinked = "already_linked"
    }

    public init(_ related: RelatedArticle) {
        id = related.article.id
        title = related.article.title
        url = related.article.url
        section = related.article.section
        publishedAt = related.article.publishedAt.map(RFC3339.format)
        score = Self.rounded(related.score)
        reason = related.reason.rawValue
        alreadyLinked = related.alreadyLinked
        explanation = related.explanation.map(Self.rounded)
    }

    /// An explanation with its numbers rounded like scores.
    static func rounded(_ explanation: Explanation) -> Explanation {
        func round(_ value: Float) -> Float { Float(rounded(value)) }
        var copy = explanation
        copy.lsa = round(copy.lsa)
        copy.lexical = round(copy.lexical)
        copy.headline = round(copy.headline)
        copy.freshness = round(copy.freshness)
        copy.words = round(copy.words)
        copy.meaning = copy.meaning.map(round)
        for i in copy.sharedTerms.indices { copy.sharedTerms[i].weight = round(copy.sharedTerms[i].weight) }
        for i in copy.dimensions.indices { copy.dimensions[i].weight = round(copy.dimensions[i].weight) }
        return copy
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
        try container.encode(reason, forKey: .reason)
        try container.encode(alreadyLinked, forKey: .alreadyLinked)
        if let explanation { try container.encode(explanation, forKey: .explanation) }
    }
}

/// `{"id", "model", "k", "complete", "below_floor", "results"}`: the answer of the related routes
/// (and of `kindred related --json`, which has no `model`).
public struct RelatedResponse: Codable, Sendable {
    public var id: String?
    public var model: ModelInfo?
    /// The `k` asked for.
    public var k: Int
    /// False when fewer than `k` articles were related enough (and no fallback filled the gap).
    public var complete: Bool
    /// Candidates the relevance floor dropped from the list.
    public var belowFloor: Int
    public var results: [RelatedResult]

    /// Spelled as sent (`JSONCoding.literalKeysEncoder`).
    enum CodingKeys: String, CodingKey {
        case id, model, k, complete, results
        case belowFloor = "below_floor"
    }

    public init(id: String?, model: ModelInfo?, list: RelatedList) {
        self.id = id
        self.model = model
        self.k = list.requested
        self.complete = list.isComplete
        self.belowFloor = list.belowFloor
        self.results = list.results.map(RelatedResult.init)
    }
}
