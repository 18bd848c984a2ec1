import Foundation
import KindredAPI
import KindredEngine

enum Output {
    /// Pretty JSON with the API's snake_case keys.
    static func json<T: Encodable>(_ value: T) throws -> String { try JSONCoding.pretty(value) }

    /// A plain table: score, id, title, with pinned, fallback and already-linked results marked,
    /// explanations indented below their result, and a last line when the list is short.
    static func table(_ list: RelatedList) -> String {
        var lines: [String] = []
        let width = list.results.map(\.article.id.count).max() ?? 0
        for result in list.results {
            var marks: [String] = []
            if result.reason != .related { marks.append(result.reason.rawValue) }
            if result.alreadyLinked { marks.append("already linked") }
            let score = String(format: "%.4f", result.score)
            let id = result.article.id.padding(toLength: width, withPad: " ", startingAt: 0)
            lines.append(
                "\(score)  \(id)  \(result.article.title)"
                    + (marks.isEmpty ? "" : "  [\(marks.joined(separator: ", "))]"))
            if let explanation = result.explanation { lines += describe(explanation) }
        }
        if list.results.isEmpty { lines.append("(no related articles)") }
        if !list.isComplete {
            lines.append(
                "(\(list.results.count) of \(list.requested); \(list.belowFloor) more scored below the relevance floor: "
                    + "--min-score lowers it, --fallback section fills the list)")
        }
        return lines.joined(separator: "\n")
    }

    static func describe(_ explanation: Explanation) -> [String] {
        func number(_ value: Float) -> String { String(format: "%.3f", value) }
        let shared = explanation.sharedTerms.map { "\($0.term) \(number($0.weight))" }
        let dimensions = explanation.dimensions.map {
            "#\($0.dimension) \(number($0.weight)) (\($0.terms.joined(separator: " ")))"
        }
        return [
            "        lsa \(number(explanation.lsa))  tf-idf \(number(explanation.lexical))  headline "
                + "\(number(explanation.headline))  freshness \(number(explanation.freshness))"
                + (explanation.meaning.map {
                    "  words \(number(explanation.words))  meaning \(number($0)) (weight \(number(explanation.semanticWeight)))"
                } ?? ""),
            "        shared terms: \(shared.isEmpty ? "none" : shared.joined(separator: ", "))",
            "        dimensions: \(dimensions.isEmpty ? "none" : dimensions.joined(separator: "; "))",
        ]
    }
}
