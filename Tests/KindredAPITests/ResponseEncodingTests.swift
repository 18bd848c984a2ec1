import Foundation
import Testing

@testable import KindredAPI
@testable import KindredEngine

@Suite("Related answers, encoded")
struct ResponseEncodingTests {
    /// Every field set, a null among them, and an explanation with terms and dimensions.
    static let response: RelatedResponse = {
        let explanation = Explanation(
            lsa: 0.61, lexical: 0.42, headline: 0.1, freshness: 0.9, words: 0.45, meaning: 0.72, semanticWeight: 0.5,
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

    @Test("the server's direct writer sends exactly the encoder's bytes")
    func directBytes() throws {
        let encoded = try JSONCoding.literalKeysEncoder().encode(Self.response)
        #expect(Self.response.jsonBytes() == Array(encoded))
        var bare = Self.response
        (bare.id, bare.model, bare.results) = (nil, nil, [])
        #expect(bare.jsonBytes() == Array(try JSONCoding.literalKeysEncoder().encode(bare)))
    }

    /// Strings of every control character, quotes, backslashes, slashes and characters beyond
    /// ASCII; scores from 0 to 2 rounded as sent, tiny and whole ones among them; fields absent
    /// at random; explanations on some results.
    @Test("the direct writer matches the encoder on 300 generated answers")
    func generatedAnswers() throws {
        var random = Xorshift(state: 0x9E37_79B9_7F4A_7C15)
        let pieces =
            (0..<0x20).map { String(UnicodeScalar(UInt8($0))) } + [
                "\"", "\\", "/", "a", "Leica", " ", "é", "e\u{301}", "😀", "\u{7F}", "\u{2028}", "日本", "<b>", "&amp;",
            ]
        func text(_ random: inout Xorshift) -> String {
            (0..<random.next(below: 12)).map { _ in pieces[random.next(below: pieces.count)] }.joined()
        }
        func number(_ random: inout Xorshift) -> Float {
            let choices: [Float] = [0, 1, 2, 0.5, 0.0001, 0.00005, 1e-7, -0.25, 123_456]
            return random.next(below: 3) == 0
                ? choices[random.next(below: choices.count)] : Float(random.next(below: 20_001)) / 10_000
        }
        for answer in 0..<300 {
            let results = (0..<random.next(below: 6)).map { _ in
                var explanation: Explanation?
                if random.next(below: 3) == 0 {
                    let meaning = random.next(below: 2) == 0 ? nil : number(&random)
                    explanation = Explanation(
                        lsa: number(&random), lexical: number(&random), headline: number(&random),
                        freshness: number(&random), words: number(&random), meaning: meaning,
                        semanticWeight: meaning == nil ? 0 : number(&random),
                        sharedTerms: (0..<random.next(below: 3)).map { _ in
                            .init(term: text(&random), weight: number(&random))
                        },
                        dimensions: (0..<random.next(below: 3)).map { _ in
                            .init(
                                dimension: random.next(below: 300), weight: number(&random),
                                terms: (0..<random.next(below: 3)).map { _ in text(&random) })
                        })
                }
                let date =
                    random.next(below: 2) == 0 ? nil : Date(timeIntervalSince1970: Double(random.next(below: 1 << 31)))
                return RelatedArticle(
                    article: ArticleMetadata(
                        id: text(&random), title: text(&random), url: random.next(below: 2) == 0 ? nil : text(&random),
                        publishedAt: date, section: random.next(below: 2) == 0 ? nil : text(&random), language: "en",
                        tags: []),
                    score: number(&random), reason: [.related, .pinned, .fallback][random.next(below: 3)],
                    alreadyLinked: random.next(below: 2) == 0, explanation: explanation)
            }
            var response = RelatedResponse(
                id: random.next(below: 4) == 0 ? nil : text(&random), model: nil,
                list: RelatedList(
                    results: results, requested: random.next(below: 101), belowFloor: random.next(below: 10)))
            response.complete = random.next(below: 2) == 0
            if random.next(below: 2) == 0 { response.model = Self.response.model }
            let expected = Array(try JSONCoding.literalKeysEncoder().encode(response))
            let written = try #require(response.jsonBytes())
            // Compared as bytes (Strings compare canonically equivalent spellings equal), reported as text.
            let same = written == expected
            #expect(
                same,
                "answer \(answer): \(String(decoding: written, as: UTF8.self)) against \(String(decoding: expected, as: UTF8.self))"
            )
        }
    }

    @Test("an answer with a score JSON can't hold is left to the encoder, which refuses it")
    func nonFinite() throws {
        for value in [Float.nan, .infinity] {
            var response = Self.response
            response.results[1].score = Double(value)
            #expect(response.jsonBytes() == nil)
            #expect(throws: EncodingError.self) { try JSONCoding.literalKeysEncoder().encode(response) }
            response = Self.response
            response.results[0].explanation?.dimensions[0].weight = value
            #expect(response.jsonBytes() == nil)
        }
    }
}

/// A seeded generator for the generated answers (Marsaglia's xorshift64).
struct Xorshift {
    var state: UInt64

    mutating func next(below bound: Int) -> Int {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return Int(state % UInt64(bound))
    }
}
