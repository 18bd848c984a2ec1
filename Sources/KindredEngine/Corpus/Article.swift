import Foundation
import KindredText

/// One news article, as read from the corpus or sent by the publishing system.
public struct Article: Sendable, Equatable, Codable {
    /// Unique, non-empty.
    public var id: String
    public var title: String
    public var body: String
    public var url: String?
    public var publishedAt: Date?
    public var section: String?
    /// A BCP 47 tag; analysis uses its primary subtag.
    public var language: String
    public var tags: [String]
    /// Links editors already put in the article (`related` or `links` in the corpus): ids or urls
    /// of other articles. Used by `kindred eval --links` as free relevance judgements; not indexed.
    public var links: [String]

    public init(
        id: String, title: String = "", body: String = "", url: String? = nil, publishedAt: Date? = nil,
        section: String? = nil, language: String = Language.defaultCode, tags: [String] = [], links: [String] = []
    ) {
        self.id = id
        self.title = title
        self.body = body
        self.url = url
        self.publishedAt = publishedAt
        self.section = section
        self.language = language
        self.tags = tags
        self.links = links
    }

    /// What ranking results carry about an article: everything but the text.
    public var metadata: ArticleMetadata {
        ArticleMetadata(
            id: id, title: title, url: url, publishedAt: publishedAt, section: section, language: language, tags: tags)
    }
}

/// The stored description of an indexed article (no body: the model keeps vectors, not text).
public struct ArticleMetadata: Sendable, Equatable, Codable {
    public var id: String
    public var title: String
    public var url: String?
    public var publishedAt: Date?
    public var section: String?
    public var language: String
    public var tags: [String]

    public init(
        id: String, title: String, url: String?, publishedAt: Date?, section: String?, language: String,
        tags: [String]
    ) {
        self.id = id
        self.title = title
        self.url = url
        self.publishedAt = publishedAt
        self.section = section
        self.language = language
        self.tags = tags
    }
}
