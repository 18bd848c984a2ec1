import Foundation
import KindredEngine

/// An article's editorial overrides.
public struct OverridesResponse: Codable, Sendable {
    public var id: String
    public var pinned: [String]
    public var blocked: [String]

    public init(id: String, entry: EditorialOverrides.Entry) {
        self.id = id
        self.pinned = entry.pinned
        self.blocked = entry.blocked
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

    public init(_ metadata: ArticleMetadata) {
        id = metadata.id
        title = metadata.title
        url = metadata.url
        section = metadata.section
        publishedAt = metadata.publishedAt.map(RFC3339.format)
        language = metadata.language
        tags = metadata.tags
    }
}

/// `GET /v1/articles?prefix=`: articles to pick from.
public struct ArticleList: Codable, Sendable {
    public var articles: [ArticleResponse]

    public init(articles: [ArticleResponse]) { self.articles = articles }
}
