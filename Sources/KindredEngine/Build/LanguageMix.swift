import Foundation
import KindredText

/// The languages of an archive, counted by the primary subtag of each article's language.
public struct LanguageMix: Codable, Equatable, Sendable {
    /// The most common language (ties: the first in alphabetical order).
    public var main: String
    /// The main language's share of the articles, 0…1.
    public var mainShare: Double
    /// How many languages have at least one article.
    public var languages: Int
    public var articles: Int

    /// An archive is multilingual when its largest language has fewer than three articles in
    /// four. There, each language's articles are a minority of the collection the term
    /// statistics come from (docs/quality.md, "Analysis chosen by the archive").
    public static let multilingualBelow = 0.75

    public init(languageTags: some Sequence<String>) {
        var counts: [String: Int] = [:]
        for tag in languageTags { counts[Language.primarySubtag(of: tag) ?? Language.defaultCode, default: 0] += 1 }
        let total = counts.values.reduce(0, +)
        let main = counts.max { ($0.value, $1.key) < ($1.value, $0.key) }
        self.main = main?.key ?? Language.defaultCode
        self.mainShare = total > 0 ? Double(main?.value ?? 0) / Double(total) : 1
        self.languages = counts.count
        self.articles = total
    }

    public var isMultilingual: Bool { mainShare < Self.multilingualBelow }

    /// `en 25 % of 1281 articles, 7 languages`.
    public var summary: String {
        "\(main) \(String(format: "%.0f", mainShare * 100)) % of \(articles) articles, \(languages) language\(languages == 1 ? "" : "s")"
    }
}
