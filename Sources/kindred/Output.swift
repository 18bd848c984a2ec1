import Foundation
import KindredEngine

/// The JSON shape of a ranked list, shared with the HTTP API:
/// `{"id": "...", "results": [{"id", "title", "url", "section", "published_at", "score"}]}`.
struct RelatedResponse: Encodable {
    var id: String?
    var results: [RelatedResult]
}

struct RelatedResult: Encodable {
    var id: String
    var title: String
    var url: String?
    var section: String?
    var publishedAt: String?
    var score: Double

    init(_ related: RelatedArticle) {
        id = related.article.id
        title = related.article.title
        url = related.article.url
        section = related.article.section
        publishedAt = related.article.publishedAt.map(RFC3339.format)
        score = Output.rounded(related.score)
    }

    enum CodingKeys: String, CodingKey {
        case id, title, url, section, publishedAt = "published_at", score
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(title, forKey: .title)
        try container.encode(url, forKey: .url)
        try container.encode(section, forKey: .section)
        try container.encode(publishedAt, forKey: .publishedAt)
        try container.encode(score, forKey: .score)
    }
}

enum Output {
    /// Scores to four decimals: more is noise from single-precision arithmetic.
    static func rounded(_ score: Float) -> Double { (Double(score) * 10_000).rounded() / 10_000 }

    static func json<T: Encodable>(_ value: T, pretty: Bool = true) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// A plain table: score, id, title.
    static func table(_ results: [RelatedArticle]) -> String {
        guard !results.isEmpty else { return "(no related articles)" }
        let width = results.map(\.article.id.count).max() ?? 0
        return results.map { result in
            let score = String(format: "%.4f", result.score)
            return "\(score)  \(result.article.id.padding(toLength: width, withPad: " ", startingAt: 0))  \(result.article.title)"
        }.joined(separator: "\n")
    }
}
