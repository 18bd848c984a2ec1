import Foundation
import KindredEngine
import KindredServer

enum Output {
    /// Pretty JSON with the API's snake_case keys.
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
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
