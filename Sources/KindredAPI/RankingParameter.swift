import KindredEngine

/// A ranking control as callers spell it: the query parameter of the HTTP API, the JSON field of
/// a draft, the CLI's flag, with what it takes. Each control is named, parsed and checked by this
/// one list, so the server, the CLI and the OpenAPI document can't drift apart.
public enum RankingParameter: String, CaseIterable, Sendable {
    case k, exclude, section, language, since, until
    case maxAge = "max_age"
    case referenceTime = "reference_time"
    case minScore = "min_score"
    case fallback
    case halfLife = "half_life"
    case freshness, diversity, dedupe, linked, explain, exact
    case semanticWeight = "semantic_weight"

    /// The query parameter (`min_score`).
    public var queryName: String { rawValue }

    /// The CLI's spelling (`--min-score`; `-k`). `language` is `--results-language` there, as in a
    /// draft's JSON, since `similar --language` is the draft's own.
    public var flag: String {
        switch self {
        case .k: "-k"
        case .language: "--results-language"
        default: "--" + rawValue.replacingOccurrences(of: "_", with: "-")
        }
    }

    /// The field of a `POST /v1/related` body; `results_language` for `language`, which names the
    /// draft's own language there.
    public var draftField: String { self == .language ? "results_language" : rawValue }

    /// What the parameter takes, for `--help`, error messages and the OpenAPI document.
    public var help: String {
        switch self {
        case .k: "how many results (1…the server's maximum)"
        case .exclude: "ids never returned"
        case .section: "only this section"
        case .language: "results' language: a BCP 47 tag, or 'any'; default the query's language"
        case .since: "only articles published at or after this RFC 3339 time"
        case .until: "only articles published at or before this RFC 3339 time"
        case .maxAge: "only articles at most this old: 36h, 7d, 2w or a number of days"
        case .referenceTime: "'now' for the age limit and freshness (RFC 3339); default the request's time"
        case .minScore: "relevance floor, -1…1; default \(RelatedQuery.defaultMinimumScore)"
        case .fallback: "fill a short list: none (default) or section (newest in the section)"
        case .halfLife: "freshness half-life in days; no freshness when absent"
        case .freshness: "share of the score that is freshness, 0…1; default \(Freshness.defaultWeight)"
        case .diversity: "MMR λ, 0…1; 1 (default) ranks by relevance only, 0.9 diversifies lightly"
        case .dedupe:
            "near-duplicate threshold, a TF-IDF cosine in (0, 1], or 'off'; default \(RelatedQuery.defaultDuplicateThreshold)"
        case .linked: "articles a draft already links to: exclude (default) or flag"
        case .explain: "true to explain each result"
        case .exact:
            "true to score every article, even where the model searches its approximate index (to check an answer)"
        case .semanticWeight:
            "share of the score that is the sentence encoder's cosine, 0…1, where the model has it; default \(RelatedQuery.defaultSemanticWeight), 0 ranks on words alone"
        }
    }

    /// The placeholder for the value in `--help` (`--since <time>`).
    public var valueName: String {
        switch self {
        case .k: "k"
        case .exclude: "id"
        case .section: "section"
        case .language: "tag"
        case .since, .until, .referenceTime: "time"
        case .maxAge: "age"
        case .minScore: "score"
        case .fallback, .linked: "policy"
        case .halfLife: "days"
        case .freshness, .semanticWeight: "weight"
        case .diversity: "lambda"
        case .dedupe: "cosine"
        case .explain, .exact: "bool"
        }
    }

    /// `help` as a sentence, for `--help`.
    public var sentence: String { help.prefix(1).uppercased() + help.dropFirst() + "." }

    /// What a draft's JSON field holds.
    public enum JSONType: Sendable {
        case string, integer, number, numberOrString, boolean, strings
    }

    public var jsonType: JSONType {
        switch self {
        case .k: .integer
        case .minScore, .halfLife, .freshness, .diversity, .semanticWeight: .number
        case .dedupe: .numberOrString
        case .explain, .exact: .boolean
        case .exclude: .strings
        default: .string
        }
    }

    /// The control that sets an engine parameter, if a caller sets it through one.
    public init?(_ parameter: EngineParameter) {
        switch parameter {
        case .k: self = .k
        case .excludedIDs: self = .exclude
        case .section: self = .section
        case .language: self = .language
        case .since: self = .since
        case .until: self = .until
        case .maximumAge: self = .maxAge
        case .referenceTime: self = .referenceTime
        case .minimumScore: self = .minScore
        case .fallback: self = .fallback
        case .halfLife: self = .halfLife
        case .freshnessWeight: self = .freshness
        case .diversity: self = .diversity
        case .duplicateThreshold: self = .dedupe
        case .linkedArticles: self = .linked
        case .explain: self = .explain
        case .semanticWeight: self = .semanticWeight
        default: return nil
        }
    }

    /// Every query parameter name.
    public static var queryNames: Set<String> { Set(allCases.map(\.queryName)) }

    /// A numeric control's default, as the engine applies it; nil when absent means "off" or the
    /// control is not a number. The OpenAPI document states the same (a test holds them equal).
    public var numericDefault: Double? {
        switch self {
        case .k: Double(ResultCount.defaultK)
        case .minScore: Double(RelatedQuery.defaultMinimumScore)
        case .freshness: Double(Freshness.defaultWeight)
        case .diversity: 1
        case .dedupe: Double(RelatedQuery.defaultDuplicateThreshold)
        case .semanticWeight: Double(RelatedQuery.defaultSemanticWeight)
        default: nil
        }
    }

    /// The values a numeric control accepts on the server: `lower` (included unless
    /// `lowerExcluded`) to `upper`, included.
    public var numericRange: (lower: Double, lowerExcluded: Bool, upper: Double)? {
        switch self {
        case .k: (1, false, Double(ResultCount.serverMaximum))
        case .minScore: (-1, false, 1)
        case .halfLife: (0, true, Freshness.longestHalfLifeDays)
        case .freshness, .diversity, .semanticWeight: (0, false, 1)
        case .dedupe: (0, true, 1)
        default: nil
        }
    }
}
