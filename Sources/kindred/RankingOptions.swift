import ArgumentParser
import Foundation
import KindredAPI
import KindredEngine

/// The ranking controls of `related` and `similar`: the API's query parameters as options
/// (`RankingParameter.flag`), read into the same `RankingParameters` the server fills.
struct RankingOptions: ParsableArguments {
    @Option(help: .ranking(.exclude, "repeatable")) var exclude: [String] = []
    @Option(help: .ranking(.section)) var section: String?
    @Option(name: .customLong("results-language"), help: .ranking(.language)) var resultsLanguage: String?
    @Option(help: .ranking(.since)) var since: String?
    @Option(help: .ranking(.until)) var until: String?
    @Option(name: .customLong("max-age"), help: .ranking(.maxAge)) var maxAge: String?
    @Option(name: .customLong("reference-time"), help: .ranking(.referenceTime)) var referenceTime: String?
    @Option(name: .customLong("min-score"), parsing: .unconditional, help: .ranking(.minScore)) var minScore: Double?
    @Option(help: .ranking(.fallback)) var fallback: String?
    @Option(name: .customLong("half-life"), help: .ranking(.halfLife)) var halfLife: Double?
    @Option(help: .ranking(.freshness, "with --half-life")) var freshness: Double?
    @Option(help: .ranking(.diversity)) var diversity: Double?
    @Option(help: .ranking(.dedupe)) var dedupe: String?
    @Option(name: .customLong("semantic-weight"), help: .ranking(.semanticWeight)) var semanticWeight: Double?
    @Flag(help: "Explain each result: shared terms and LSA dimensions.") var explain = false
    @Flag(
        help: "Score every article, even where the model searches approximately: check an answer against exact search.")
    var exact = false

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
        parameters.semanticWeight = semanticWeight
        parameters.linked = linked
        if explain { parameters.explain = true }
        if exact { parameters.exact = true }
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

extension ArgumentHelp {
    /// A ranking option's help, from the API's one description of the control.
    static func ranking(_ parameter: RankingParameter, _ note: String? = nil) -> ArgumentHelp {
        let sentence = note.map { parameter.sentence.dropLast() + " (\($0))." } ?? parameter.sentence
        return ArgumentHelp(sentence, valueName: parameter.valueName)
    }
}
