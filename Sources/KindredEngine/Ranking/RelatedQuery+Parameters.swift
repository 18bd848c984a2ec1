import Foundation

/// The text form of a query, shared by the HTTP API's query parameters and JSON fields and by the
/// CLI, so each control is spelled, parsed and checked the same way everywhere.
extension RelatedQuery {
    /// Every parameter name, with what it takes.
    public static let parameterHelp: KeyValuePairs<String, String> = [
        "k": "how many results (1…the server's maximum)",
        "exclude": "ids never returned, comma-separated",
        "section": "only this section",
        "language": "results' language: a BCP 47 tag, or 'any'; default the query's language",
        "since": "only articles published at or after this RFC 3339 time",
        "until": "only articles published at or before this RFC 3339 time",
        "max_age": "only articles at most this old: 36h, 7d, 2w or a number of days",
        "reference_time": "'now' for max_age and freshness (RFC 3339); default the request's time",
        "min_score": "relevance floor, -1…1; default \(defaultMinimumScore)",
        "fallback": "fill a short list: none (default) or section (newest in the section)",
        "half_life": "freshness half-life in days; no freshness when absent",
        "freshness": "share of the score that is freshness, 0…1; default \(Freshness.defaultWeight)",
        "diversity": "MMR λ, 0…1; 1 (default) ranks by relevance only, 0.9 diversifies lightly",
        "dedupe": "near-duplicate threshold, a TF-IDF cosine in (0, 1], or 'off'; default \(defaultDuplicateThreshold)",
        "linked": "articles a draft already links to: exclude (default) or flag",
        "explain": "true to explain each result",
    ]

    public static var parameterNames: Set<String> { Set(parameterHelp.map(\.key)) }

    /// Parses the text form; absent parameters keep the values of `base` (the served defaults
    /// with `defaultK` results when nil).
    ///
    /// - Throws: `EngineError.invalidParameter` naming the parameter, the value and what it takes.
    public init(parameters: [String: String], defaultK: Int = 10, base: RelatedQuery? = nil) throws {
        self = base ?? RelatedQuery(k: defaultK)
        func value<T>(_ name: String, _ parse: (String) -> T?) throws -> T? {
            guard let text = parameters[name] else { return nil }
            guard let parsed = parse(text.trimmingCharacters(in: .whitespaces)) else {
                let help = Self.parameterHelp.first { $0.key == name }?.value ?? ""
                throw EngineError.invalidParameter("\(name) '\(text)' is not valid: \(help)")
            }
            return parsed
        }
        func number(_ text: String) -> Double? { Double(text).flatMap { $0.isFinite ? $0 : nil } }
        if let k = try value("k", { Int($0) }) { self.k = k }
        if let exclude = parameters["exclude"] {
            excludedIDs = Set(exclude.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        section = parameters["section"].flatMap { $0.isEmpty ? nil : $0 }
        if let text = parameters["language"] { language = try LanguageScope(parsing: text) }
        since = try value("since", RFC3339.parse)
        until = try value("until", RFC3339.parse)
        maximumAge = try value("max_age", Self.parseAge)
        referenceTime = try value("reference_time", RFC3339.parse)
        if let floor = try value("min_score", number) { minimumScore = Float(floor) }
        if let policy = try value("fallback", FallbackPolicy.init(rawValue:)) { fallback = policy }
        let weight = try value("freshness", number).map(Float.init)
        if let halfLife = try value("half_life", number) {
            freshness = Freshness(halfLifeDays: halfLife, weight: weight ?? Freshness.defaultWeight)
        } else if weight != nil {
            throw EngineError.invalidParameter("freshness needs half_life (in days), e.g. half_life=7&freshness=0.5")
        }
        if let lambda = try value("diversity", number) { diversity = Float(lambda) }
        if parameters["dedupe"] == "off" {
            duplicateThreshold = nil
        } else if let threshold = try value("dedupe", number) {
            duplicateThreshold = Float(threshold)
        }
        if let policy = try value("linked", LinkPolicy.init(rawValue:)) { linkedArticles = policy }
        if let flag = try value("explain", { ["true": true, "false": false, "1": true, "0": false][$0] }) { explain = flag }
        try validate()
    }

    /// `36h`, `7d`, `2w`, `90m` or a bare number of days, in seconds; nil when not one of those.
    public static func parseAge(_ text: String) -> TimeInterval? {
        let units: [Character: Double] = ["m": 60, "h": 3_600, "d": 86_400, "w": 604_800]
        var digits = Substring(text), scale = 86_400.0
        if let last = text.last, let unit = units[last] {
            digits = text.dropLast()
            scale = unit
        }
        guard let amount = Double(digits), amount.isFinite, amount > 0 else { return nil }
        return amount * scale
    }
}
