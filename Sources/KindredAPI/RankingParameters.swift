import Foundation
import KindredEngine

/// The ranking controls a caller gave, typed, before they become a `RelatedQuery`. The server fills
/// it from a query string or a draft's JSON, the CLI from its options; `query(…)` applies the same
/// defaults and checks for all of them.
public struct RankingParameters: Sendable, Equatable {
    public var k: Int?
    public var exclude: [String] = []
    public var section: String?
    /// Results' language: a BCP 47 tag, `any` or `query`.
    public var language: String?
    public var since: Date?
    public var until: Date?
    /// Seconds.
    public var maxAge: TimeInterval?
    public var referenceTime: Date?
    public var minScore: Double?
    public var fallback: FallbackPolicy?
    /// Days.
    public var halfLife: Double?
    public var freshness: Double?
    public var diversity: Double?
    public var dedupe: Dedupe?
    public var linked: LinkPolicy?
    public var explain: Bool?
    public var exact: Bool?
    public var semanticWeight: Double?

    /// A near-duplicate setting: off, or a TF-IDF cosine threshold.
    public enum Dedupe: Sendable, Equatable {
        case off
        case threshold(Double)
    }

    public init() {}

    /// A value that doesn't parse as what its parameter takes.
    public struct UnreadableValue: Error, Sendable, Equatable {
        public let parameter: RankingParameter
        public let text: String

        /// "min_score 'high' is not valid: relevance floor, -1…1; default 0.1", in a spelling.
        public func message(_ spelling: ParameterSpelling) -> String {
            let name: String
            switch spelling {
            case .queryParameter: name = parameter.queryName
            case .draftField: name = parameter.draftField
            case .flag: name = parameter.flag
            }
            return "\(name) '\(text)' is not valid: \(parameter.help)"
        }
    }

    /// Parses the text form of every parameter in `values` (a query string's, by query name).
    ///
    /// - Throws: `UnreadableValue` for the first value that isn't what its parameter takes.
    public init(text values: [String: String]) throws(UnreadableValue) {
        for parameter in RankingParameter.allCases {
            if let text = values[parameter.queryName] { try set(parameter, text: text) }
        }
    }

    /// Sets one parameter from its text form (`7d`, `2026-11-01T00:00:00Z`, `off`, `a,b`).
    ///
    /// - Throws: `UnreadableValue` when `text` isn't what the parameter takes.
    public mutating func set(_ parameter: RankingParameter, text rawText: String) throws(UnreadableValue) {
        let text = rawText.trimmingCharacters(in: .whitespaces)
        func parsed<T>(_ value: T?) throws(UnreadableValue) -> T {
            guard let value else { throw UnreadableValue(parameter: parameter, text: rawText) }
            return value
        }
        func number() throws(UnreadableValue) -> Double { try parsed(Double(text).flatMap { $0.isFinite ? $0 : nil }) }
        switch parameter {
        case .k: k = try parsed(Int(text))
        case .exclude:
            exclude = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        case .section: section = text.isEmpty ? nil : rawText
        case .language: language = rawText
        case .since: since = try parsed(RFC3339.parse(text))
        case .until: until = try parsed(RFC3339.parse(text))
        case .maxAge: maxAge = try parsed(Self.parseAge(text))
        case .referenceTime: referenceTime = try parsed(RFC3339.parse(text))
        case .minScore: minScore = try number()
        case .fallback: fallback = try parsed(FallbackPolicy(rawValue: text))
        case .halfLife: halfLife = try number()
        case .freshness: freshness = try number()
        case .diversity: diversity = try number()
        case .dedupe: dedupe = text == "off" ? .off : .threshold(try number())
        case .linked: linked = try parsed(LinkPolicy(rawValue: text))
        case .explain: explain = try parsed(["true": true, "false": false, "1": true, "0": false][text])
        case .exact: exact = try parsed(["true": true, "false": false, "1": true, "0": false][text])
        case .semanticWeight: semanticWeight = try number()
        }
    }

    /// Sets a numeric control from a JSON number (`min_score`, `half_life`, `freshness`,
    /// `diversity`, `dedupe`, `semantic_weight`); other controls are not numbers and are left alone.
    public mutating func set(_ parameter: RankingParameter, number: Double) {
        switch parameter {
        case .minScore: minScore = number
        case .halfLife: halfLife = number
        case .freshness: freshness = number
        case .diversity: diversity = number
        case .dedupe: dedupe = .threshold(number)
        case .semanticWeight: semanticWeight = number
        default: break
        }
    }

    /// The query these controls ask for: parameters not given keep the values of `base` (the
    /// served defaults with `defaultK` results when nil).
    ///
    /// - Throws: `EngineError` with the parameter, value and range for a value out of range; `k`
    ///   is checked against `maximumK`.
    public func query(
        defaultK: Int = ResultCount.defaultK, maximumK: Int, base: RelatedQuery? = nil
    ) throws -> RelatedQuery {
        var query = base ?? RelatedQuery(k: defaultK)
        if let k { query.k = try ResultCount.checked(k, maximum: maximumK) }
        if !exclude.isEmpty { query.excludedIDs = Set(exclude) }
        if let section { query.section = section }
        if let language { query.language = try LanguageScope(parsing: language) }
        if let since { query.since = since }
        if let until { query.until = until }
        if let maxAge { query.maximumAge = maxAge }
        if let referenceTime { query.referenceTime = referenceTime }
        if let minScore { query.minimumScore = Float(minScore) }
        if let fallback { query.fallback = fallback }
        if let halfLife {
            query.freshness = Freshness(
                halfLifeDays: halfLife, weight: freshness.map(Float.init) ?? Freshness.defaultWeight)
        } else if freshness != nil {
            throw EngineError(
                .invalidParameter,
                "\(.freshnessWeight) needs \(.halfLife) (in days), e.g. a half-life of 7 and freshness 0.5")
        }
        if let diversity { query.diversity = Float(diversity) }
        switch dedupe {
        case .off: query.duplicateThreshold = nil
        case .threshold(let cosine): query.duplicateThreshold = Float(cosine)
        case nil: break
        }
        if let linked { query.linkedArticles = linked }
        if let explain { query.explain = explain }
        if let exact { query.exact = exact }
        if let semanticWeight { query.semanticWeight = Float(semanticWeight) }
        try query.validate()
        return query
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
