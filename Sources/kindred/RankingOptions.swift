import ArgumentParser
import Foundation
import KindredAPI
import KindredEngine

/// The ranking controls of `related` and `similar`: the API's query parameters as options
/// (`RankingParameter.flag`), read into the same `RankingParameters` the server fills.
struct RankingOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Never return this id (repeatable).", valueName: "id"))
    var exclude: [String] = []

    @Option(help: "Only articles of this section.")
    var section: String?

    @Option(
        name: .customLong("results-language"),
        help: ArgumentHelp("Results' language: a BCP 47 tag or 'any'. Default: the query's language.", valueName: "tag")
    )
    var resultsLanguage: String?

    @Option(help: ArgumentHelp("Only articles published at or after this RFC 3339 time.", valueName: "time"))
    var since: String?

    @Option(help: ArgumentHelp("Only articles published at or before this RFC 3339 time.", valueName: "time"))
    var until: String?

    @Option(
        name: .customLong("max-age"),
        help: ArgumentHelp("Only articles at most this old: 36h, 7d, 2w.", valueName: "age"))
    var maxAge: String?

    @Option(
        name: .customLong("reference-time"),
        help: ArgumentHelp(
            "'Now' for --max-age and freshness (RFC 3339). Default: the current time.", valueName: "time"))
    var referenceTime: String?

    @Option(
        name: .customLong("min-score"), parsing: .unconditional,
        help: ArgumentHelp(
            "Relevance floor, -1…1 (default \(RelatedQuery.defaultMinimumScore)); -1 turns it off.", valueName: "score")
    )
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
    /// when nil). Parsed and checked by the API layer, as the server's query parameters are.
    ///
    /// - Throws: `ValidationError` naming the flag, the value and what it takes.
    func query(k: Int, linked: LinkPolicy? = nil, base: RelatedQuery? = nil) throws -> RelatedQuery {
        var parameters = RankingParameters()
        parameters.k = k
        parameters.exclude = exclude
        parameters.minScore = minScore
        parameters.halfLife = halfLife
        parameters.freshness = freshness
        parameters.diversity = diversity
        parameters.linked = linked
        if explain { parameters.explain = true }
        let texts: [(RankingParameter, String?)] = [
            (.section, section), (.language, resultsLanguage), (.since, since), (.until, until), (.maxAge, maxAge),
            (.referenceTime, referenceTime), (.fallback, fallback), (.dedupe, dedupe),
        ]
        do {
            for case let (parameter, text?) in texts { try parameters.set(parameter, text: text) }
            return try parameters.query(defaultK: k, maximumK: CountOptions.maximumK, base: base)
        } catch let error as RankingParameters.UnreadableValue {
            throw ValidationError(error.message(.flag))
        } catch let error as EngineError {
            throw ValidationError(ParameterSpelling.flag.message(error))
        }
    }
}
