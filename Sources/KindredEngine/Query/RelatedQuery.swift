import Foundation
import KindredText

/// What a caller wants back: how many results, which articles may be among them, and how the
/// list is shaped (relevance floor, fallback, freshness, diversity, explanations).
///
/// Every default is the behaviour a reader of a news site should get without asking; the
/// measurements behind them are in docs/quality.md.
public struct RelatedQuery: Sendable, Equatable {
    /// How many results at most.
    public var k: Int
    /// Ids never returned (besides the query articles themselves).
    public var excludedIDs: Set<String>
    /// Only articles of this section (exact match).
    public var section: String?
    /// Which languages results may be in.
    public var language: LanguageScope
    /// Only articles published at or after this time (articles without a date are dropped).
    public var since: Date?
    /// Only articles published at or before this time (articles without a date are dropped).
    public var until: Date?
    /// Only articles at most this many seconds older than `referenceTime` (undated ones are dropped).
    public var maximumAge: TimeInterval?
    /// "Now" for `maximumAge` and freshness; the time of the request when nil.
    public var referenceTime: Date?
    /// Results whose relevance (the blended score, before freshness) is below this are dropped,
    /// so a list is shorter than `k` rather than padded with unrelated filler.
    public var minimumScore: Float
    /// What fills a list the floor left short.
    public var fallback: FallbackPolicy
    /// Recency decay blended into the score; nil for none.
    public var freshness: Freshness?
    /// Maximal marginal relevance λ in 0…1: 1 ranks by relevance alone, lower values trade
    /// relevance for results unlike those already picked.
    public var diversity: Float
    /// Two results whose TF-IDF cosine is at least this are near-duplicates (rewrites of one
    /// story): only the better one is kept. Nil keeps them all.
    public var duplicateThreshold: Float?
    /// What to do with articles a draft already links to.
    public var linkedArticles: LinkPolicy
    /// Attach an `Explanation` to every result.
    public var explain: Bool
    /// Score every article even when the model searches approximately (`SearchSettings`), so a
    /// caller can check an answer against the exact one.
    public var exact: Bool
    /// The share of a score that is the semantic cosine (`SemanticVectors`): each candidate's
    /// score is `(1 − s)·words + s·meaning`, with `s` 0 for an article the encoder didn't read
    /// and for a model without the channel. 0 ranks on words alone.
    public var semanticWeight: Float

    /// Default semantic weight, chosen on the development sets (docs/semantic.md, *Quality*).
    public static let defaultSemanticWeight: Float = 0.5

    /// Default relevance floor. On manpages-dev's judged relatedness (docs/quality.md) the top-10
    /// results below 0.1 were relevant in 0.45 % of cases, and dropping them kept 99.96 % of
    /// recall@10; a floor of 0.15 already loses 3 %.
    public static let defaultMinimumScore: Float = 0.1
    /// Default near-duplicate threshold (TF-IDF cosine). Collapsing at 0.8 raised recall@10 on
    /// manpages-dev from 0.7365 to 0.7439 (near-identical pages make room for distinct related
    /// ones); 0.7 and below start to merge pages that are merely similar (docs/quality.md).
    public static let defaultDuplicateThreshold: Float = 0.8

    public init(
        k: Int = 10, excludedIDs: Set<String> = [], section: String? = nil, language: LanguageScope = .query,
        since: Date? = nil, until: Date? = nil, maximumAge: TimeInterval? = nil, referenceTime: Date? = nil,
        minimumScore: Float = RelatedQuery.defaultMinimumScore, fallback: FallbackPolicy = .none,
        freshness: Freshness? = nil, diversity: Float = 1,
        duplicateThreshold: Float? = RelatedQuery.defaultDuplicateThreshold, linkedArticles: LinkPolicy = .exclude,
        explain: Bool = false, exact: Bool = false, semanticWeight: Float = RelatedQuery.defaultSemanticWeight
    ) {
        self.k = k
        self.excludedIDs = excludedIDs
        self.section = section
        self.language = language
        self.since = since
        self.until = until
        self.maximumAge = maximumAge
        self.referenceTime = referenceTime
        self.minimumScore = minimumScore
        self.fallback = fallback
        self.freshness = freshness
        self.diversity = diversity
        self.duplicateThreshold = duplicateThreshold
        self.linkedArticles = linkedArticles
        self.explain = explain
        self.exact = exact
        self.semanticWeight = semanticWeight
    }

    /// A query that returns the plain ranking: every language, no floor, no de-duplication.
    public static func unshaped(k: Int) -> RelatedQuery {
        RelatedQuery(k: k, language: .any, minimumScore: -1, duplicateThreshold: nil)
    }

    /// Checks each value against its range.
    ///
    /// - Throws: `EngineError.invalidParameter` naming the value, what was seen and the range.
    public func validate() throws {
        guard k >= 1 else { throw EngineError.invalid(.k, k, allowed: "at least 1") }
        if let since, let until, since > until {
            throw EngineError.invalidParameter(
                "\(.since) (\(RFC3339.format(since))) is after \(.until) (\(RFC3339.format(until)))")
        }
        if let maximumAge, !(maximumAge > 0 && maximumAge.isFinite) {
            throw EngineError.invalid(.maximumAge, "\(maximumAge) seconds", allowed: "a positive duration")
        }
        guard minimumScore.isFinite, (-1...1).contains(minimumScore) else {
            throw EngineError.invalid(.minimumScore, minimumScore, allowed: "a similarity between -1 and 1")
        }
        guard diversity.isFinite, (0...1).contains(diversity) else {
            throw EngineError.invalid(.diversity, diversity, allowed: "an MMR λ between 0 and 1")
        }
        if let duplicateThreshold, !(duplicateThreshold.isFinite && duplicateThreshold > 0 && duplicateThreshold <= 1) {
            throw EngineError.invalid(.duplicateThreshold, duplicateThreshold, allowed: "a TF-IDF cosine in (0, 1]")
        }
        guard semanticWeight.isFinite, (0...1).contains(semanticWeight) else {
            throw EngineError.invalid(.semanticWeight, semanticWeight, allowed: "between 0 and 1")
        }
        try freshness?.validate()
    }

    /// The filters for a query whose subject is in `subjectLanguage`, with the time window resolved
    /// against `now`.
    func admission(subjectLanguage: String?, now: Date) -> Admission {
        var since = since
        if let maximumAge {
            let floor = now.addingTimeInterval(-maximumAge)
            since = max(since ?? floor, floor)
        }
        let language: String?
        switch self.language {
        case .any: language = nil
        case .query: language = subjectLanguage.flatMap(Language.primarySubtag(of:))
        case .only(let code): language = Language.primarySubtag(of: code) ?? code
        }
        return Admission(excludedIDs: excludedIDs, section: section, language: language, since: since, until: until)
    }
}

/// The hard filters of a query, resolved: which articles may be results at all.
public struct Admission: Sendable, Equatable {
    public var excludedIDs: Set<String>
    public var section: String?
    /// A primary subtag; `en` admits `en-GB`.
    public var language: String?
    public var since: Date?
    public var until: Date?

    /// Whether an article may be a result.
    public func admits(_ article: ArticleMetadata) -> Bool {
        admits(article, languageCode: language == nil ? nil : Language.primarySubtag(of: article.language))
    }

    /// `admits(_:)` with the article's primary language subtag already parsed. Inlined, so that a
    /// loop over stored articles reads their fields in place instead of copying each one.
    @inline(__always)
    func admits(_ article: ArticleMetadata, languageCode: String?) -> Bool {
        if excludedIDs.contains(article.id) { return false }
        if let section, article.section != section { return false }
        if let language, languageCode != language { return false }
        return admitsDate(article.publishedAt)
    }

    /// Whether a publication date is within `since`…`until` (an undated article is not, when
    /// either is set).
    @inline(__always)
    func admitsDate(_ published: Date?) -> Bool {
        guard since != nil || until != nil else { return true }
        guard let published else { return false }
        if let since, published < since { return false }
        if let until, published > until { return false }
        return true
    }
}

/// Which languages results may be in.
public enum LanguageScope: Sendable, Equatable {
    /// The query article's (or draft's) language: the default, since a reader of a German story
    /// can't use an English link.
    case query
    /// Any language.
    case any
    /// One language (a BCP 47 tag; its primary subtag is compared).
    case only(String)

    /// Parses `any`, `query` or a BCP 47 tag.
    ///
    /// - Throws: `EngineError.invalidParameter` for anything else.
    public init(parsing text: String) throws {
        switch text.lowercased() {
        case "any": self = .any
        case "query", "same": self = .query
        default:
            guard Language.primarySubtag(of: text) != nil else {
                throw EngineError.invalid(.language, "'\(text)'", allowed: "'any' or a BCP 47 tag such as en or de-CH")
            }
            self = .only(text)
        }
    }
}

/// What fills the places of a list that the relevance floor left empty.
public enum FallbackPolicy: String, Sendable, Equatable, CaseIterable {
    /// Nothing: the list is shorter than `k`.
    case none
    /// The newest admitted articles of the query's section (of the `section` filter for a
    /// draft; of any section when there is none), marked as fallback.
    case section
}

/// What to do with articles a draft already links to.
public enum LinkPolicy: String, Sendable, Equatable, CaseIterable {
    /// Leave them out: the reader already has the link.
    case exclude
    /// Keep them, marked `alreadyLinked`.
    case flag
}
