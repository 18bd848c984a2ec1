import KindredEngine

/// How a boundary names the engine's parameters in messages: the engine's errors hold an
/// `EngineParameter`, and each boundary words them the way its users type them.
public enum ParameterSpelling: Sendable {
    /// HTTP query parameters (`min_score`).
    case queryParameter
    /// Fields of a `POST /v1/related` body (`min_score`, `results_language`).
    case draftField
    /// CLI flags (`--min-score`, `--dimensions`).
    case flag

    public func name(_ parameter: EngineParameter) -> String {
        if let control = RankingParameter(parameter) {
            switch self {
            case .queryParameter: return control.queryName
            case .draftField: return control.draftField
            case .flag: return control.flag
            }
        }
        let flag = Self.buildFlags[parameter] ?? parameter.rawValue
        switch (self, parameter) {
        case (.flag, .examples): return "the article ids"
        case (.flag, .pinned): return "--pin"
        case (.flag, .blocked): return "--block"
        case (.flag, _): return "--" + flag
        case (_, .examples): return "like"
        default: return flag.replacingOccurrences(of: "-", with: "_")
        }
    }

    /// The message of `error` in this spelling.
    public func message(_ error: EngineError) -> String { error.message(naming: name) }

    /// A build parameter's flag (`kindred reindex`, `kindred eval`) without its dashes: the one
    /// spelling the CLI declares and every message uses.
    public static func buildFlag(_ parameter: EngineParameter) -> String {
        buildFlags[parameter] ?? parameter.rawValue
    }

    /// The build's flags, without their dashes.
    static let buildFlags: [EngineParameter: String] = [
        .titleWeight: "title-weight", .minimumDocumentFrequency: "min-df", .maximumDocumentFrequency: "max-df",
        .maximumTerms: "max-terms",
        .dimensions: "dimensions", .oversampling: "oversampling", .powerIterations: "power-iterations",
        .lexicalWeight: "lexical-weight", .headlineWeight: "headline-weight", .rerankDepth: "rerank-depth",
        .neighbors: "neighbors", .hubCap: "hub-cap", .semanticWeight: "semantic-weight",
    ]
}
