import Foundation
import Testing

@testable import KindredAPI
@testable import KindredEngine

@Suite("Related answers, encoded")
struct ResponseEncodingTests {
    /// Every field set, a null among them, and an explanation with terms and dimensions.
    static let response: RelatedResponse = {
        let explanation = Explanation(
            lsa: 0.61, lexical: 0.42, headline: 0.1, freshness: 0.9,
            sharedTerms: [.init(term: "red dot", weight: 0.2)],
            dimensions: [.init(dimension: 3, weight: 0.31, terms: ["leica", "camera"])])
        let articles = [
            RelatedArticle(
                article: ArticleMetadata(
                    id: "xiaomi-17-ultra-launch", title: "Xiaomi 17 Ultra", url: "https://news.example.com/a/b",
                    publishedAt: Date(timeIntervalSince1970: 1_770_000_000), section: "phones", language: "en",
                    tags: []),
                score: 0.4822, reason: .pinned, alreadyLinked: true, explanation: explanation),
            RelatedArticle(
                article: ArticleMetadata(
                    id: "tag", title: "Xiaomi Tag", url: nil, publishedAt: nil, section: nil, language: "en", tags: []),
                score: 0.3),
        ]
        var response = RelatedResponse(
            id: "leica", model: nil, list: RelatedList(results: articles, requested: 3, belowFloor: 2))
        response.model = try? JSONDecoder().decode(
            ModelInfo.self, from: Data(#"{"version": "20261126T000000Z", "built_at": "2026-11-26T00:00:00Z"}"#.utf8))
        return response
    }()

    @Test("the server's literal-keys encoder writes exactly what the converting encoder writes")
    func literalKeys() throws {
        #expect(Self.response.model != nil)
        let converted = String(decoding: try JSONCoding.encoder().encode(Self.response), as: UTF8.self)
        let literal = String(decoding: try JSONCoding.literalKeysEncoder().encode(Self.response), as: UTF8.self)
        #expect(literal == converted)
        for key in ["below_floor", "built_at", "published_at", "already_linked", "shared_terms", "\"url\":null"] {
            #expect(literal.contains(key), "\(key) in \(literal)")
        }
        #expect(!literal.contains("belowFloor") && !literal.contains("sharedTerms"))
    }
}
