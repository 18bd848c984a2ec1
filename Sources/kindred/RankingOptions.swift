import ArgumentParser
import Foundation
import KindredEngine

/// The ranking controls of `related` and `similar`: the API's query parameters as options, parsed
/// by the same code (`RelatedQuery(parameters:)`).
struct RankingOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Never return this id (repeatable).", valueName: "id"))
    var exclude: [String] = []

    @Option(help: "Only articles of this section.")
    var section: String?

    @Option(
        name: .customLong("results-language"),
        help: ArgumentHelp("Results' language: a BCP 47 tag or 'any'. Default: the query's language.", valueName: "tag"))
    var resultsLanguage: String?

    @Option(help: ArgumentHelp("Only articles published at or after this RFC 3339 time.", valueName: "time"))
    var since: String?

    @Option(help: ArgumentHelp("Only articles published at or before this RFC 3339 time.", valueName: "time"))
    var until: String?

    @Option(name: .customLong("max-age"), help: ArgumentHelp("Only articles at most this old: 36h, 7d, 2w.", valueName: "age"))
    var maxAge: String?

    @Option(
        name: .customLong("reference-time"),
        help: ArgumentHelp("'Now' for --max-age and freshness (RFC 3339). Default: the current time.", valueName: "time"))
    var referenceTime: String?

    @Option(
        name: .customLong("min-score"), parsing: .unconditional,
        help: ArgumentHelp("Relevance floor, -1…1 (default \(RelatedQuery.defaultMinimumScore)); -1 turns it off.", valueName: "score"))
    var minScore: Double?

    @Option(help: ArgumentHelp("Fill a list the floor left short: none or section.", valueName: "policy"))
    var fallback: String?

    @Option(name: .customLong("half-life"), help: ArgumentHelp("Freshness half-life in days.", valueName: "days"))
    var halfLife: Double?

    @Option(help: ArgumentHelp("Share of the score that is freshness, 0…1 (with --half-life).", valueName: "weight"))
    var freshness: Double?

    @Option(help: ArgumentHelp("MMR λ, 0…1: 1 ranks by relevance only, 0.9 diversifies lightly.", valueName: "lambda"))
    var diversity: Double?

    @Option(
        help: ArgumentHelp(
            "Near-duplicate threshold (TF-IDF cosine, default \(RelatedQuery.defaultDuplicateThreshold)) or 'off'.",
            valueName: "cosine"))
    var dedupe: String?

    @Flag(help: "Explain each result: shared terms and LSA dimensions.")
    var explain = false

    /// The query for `k` results; options not given keep the values of `base` (the served defaults
    /// when nil).
    func query(k: Int, linked: LinkPolicy? = nil, base: RelatedQuery? = nil) throws -> RelatedQuery {
        var values: [String: String] = ["k": String(k)]
        if !exclude.isEmpty { values["exclude"] = exclude.joined(separator: ",") }
        values["section"] = section
        values["language"] = resultsLanguage
        values["since"] = since
        values["until"] = until
        values["max_age"] = maxAge
        values["reference_time"] = referenceTime
        values["min_score"] = minScore.map { String($0) }
        values["fallback"] = fallback
        values["half_life"] = halfLife.map { String($0) }
        values["freshness"] = freshness.map { String($0) }
        values["diversity"] = diversity.map { String($0) }
        values["dedupe"] = dedupe
        values["linked"] = linked?.rawValue
        if explain { values["explain"] = "true" }
        do {
            return try RelatedQuery(parameters: values, defaultK: k, base: base)
        } catch let error as EngineError {
            throw ValidationError(error.message.replacingOccurrences(of: "_", with: "-"))
        }
    }
}
