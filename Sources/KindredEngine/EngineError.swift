/// Errors from building or querying a model, worded so the reader knows what to do next.
///
/// The engine has no flags and no query strings, so a message never spells a parameter one way:
/// it holds the parameter (`EngineParameter`) and each boundary names it as its users type it,
/// `--min-score` in the CLI and `min_score` over HTTP (`message(naming:)`). An invalid value also
/// carries the parameter, the value seen and what it accepts as fields of their own.
public struct EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of failure; the set may grow, so switch with a default.
    public enum Code: Sendable, Equatable {
        case invalidParameter
        case corpusTooSmall
        case emptyVocabulary
        case unknownArticle
        case numerical
    }

    /// A value outside what a parameter accepts.
    public struct InvalidValue: Sendable, Equatable {
        public let parameter: EngineParameter
        /// The value as given.
        public let value: String
        /// What the parameter accepts, as a phrase that follows "must be": "between 0 and 1".
        public let allowed: String
    }

    public let code: Code
    /// The parameter, value and range, when one value was at fault.
    public let invalidValue: InvalidValue?
    private let text: EngineMessage

    public init(_ code: Code, _ message: EngineMessage) {
        self.code = code
        self.text = message
        self.invalidValue = nil
    }

    /// `parameter` must be `allowed`; `value` was given.
    public static func invalid(_ parameter: EngineParameter, _ value: some CustomStringConvertible, allowed: String)
        -> EngineError
    {
        EngineError(parameter: parameter, value: "\(value)", allowed: allowed)
    }

    private init(parameter: EngineParameter, value: String, allowed: String) {
        code = .invalidParameter
        invalidValue = InvalidValue(parameter: parameter, value: value, allowed: allowed)
        text = "\(parameter) must be \(allowed); got \(value)"
    }

    /// The message with each parameter named by `name`: a flag, a query parameter, a field.
    public func message(naming name: (EngineParameter) -> String) -> String { text.rendered(naming: name) }

    /// The message with parameters under their engine names (`minimumScore`).
    public var message: String { message(naming: \.rawValue) }

    public var description: String { message }

    static func invalidParameter(_ message: EngineMessage) -> EngineError { EngineError(.invalidParameter, message) }
}

/// A message that may name parameters, written with string interpolation: `"lower \(.dimensions)"`.
public struct EngineMessage: Sendable, Equatable, ExpressibleByStringInterpolation {
    enum Part: Sendable, Equatable {
        case text(String)
        case parameter(EngineParameter)
    }

    var parts: [Part]

    public init(stringLiteral value: String) { parts = [.text(value)] }

    public init(stringInterpolation: Interpolation) { parts = stringInterpolation.parts }

    public struct Interpolation: StringInterpolationProtocol {
        var parts: [Part] = []

        public init(literalCapacity: Int, interpolationCount: Int) {}

        public mutating func appendLiteral(_ literal: String) { parts.append(.text(literal)) }

        public mutating func appendInterpolation(_ parameter: EngineParameter) { parts.append(.parameter(parameter)) }

        public mutating func appendInterpolation(_ message: EngineMessage) { parts += message.parts }

        public mutating func appendInterpolation(_ value: some Any) { parts.append(.text("\(value)")) }
    }

    func rendered(naming name: (EngineParameter) -> String) -> String {
        parts.map {
            switch $0 {
            case .text(let text): text
            case .parameter(let parameter): name(parameter)
            }
        }.joined()
    }
}

/// Every value a caller of the engine sets: the ranking controls of a query and the parameters of
/// a build, under the names of the Swift properties that hold them.
public enum EngineParameter: String, Sendable, CaseIterable {
    // RelatedQuery
    case k, excludedIDs, section, language, since, until, maximumAge, referenceTime, minimumScore, fallback
    case halfLife, freshnessWeight, diversity, duplicateThreshold, linkedArticles, explain, semanticWeight
    /// The articles and texts a query is like or unlike.
    case examples
    // ModelParameters
    case titleWeight, minimumDocumentFrequency, maximumDocumentFrequency, maximumTerms, dimensions, oversampling,
        powerIterations
    case lexicalWeight, headlineWeight, rerankDepth, neighbors, hubCap
    // EditorialOverrides.Entry
    case pinned, blocked
}
