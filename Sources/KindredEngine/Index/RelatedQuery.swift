import Foundation
import KindredText

/// What a caller wants back: how many results, and which articles may be among them.
public struct RelatedQuery: Sendable, Equatable {
    /// How many results at most.
    public var k: Int
    /// Ids never returned (besides the query article itself).
    public var excludedIDs: Set<String>
    /// Only articles of this section (exact match).
    public var section: String?
    /// Only articles whose language has this primary subtag (`en` matches `en-GB`).
    public var language: String?
    /// Only articles published at or after this time (articles without a date are dropped).
    public var since: Date?
    /// Only articles published at or before this time (articles without a date are dropped).
    public var until: Date?
    /// Drop results whose cosine is below this.
    public var minimumScore: Float?

    public init(
        k: Int = 10, excludedIDs: Set<String> = [], section: String? = nil, language: String? = nil, since: Date? = nil,
        until: Date? = nil, minimumScore: Float? = nil
    ) {
        self.k = k
        self.excludedIDs = excludedIDs
        self.section = section
        self.language = language.flatMap(Language.primarySubtag(of:)) ?? language
        self.since = since
        self.until = until
        self.minimumScore = minimumScore
    }

    /// Whether an article may be a result.
    public func admits(_ article: ArticleMetadata) -> Bool {
        if excludedIDs.contains(article.id) { return false }
        if let section, article.section != section { return false }
        if let language, Language.primarySubtag(of: article.language) != language { return false }
        if since != nil || until != nil {
            guard let published = article.publishedAt else { return false }
            if let since, published < since { return false }
            if let until, published > until { return false }
        }
        return true
    }
}
