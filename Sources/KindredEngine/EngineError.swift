/// Errors from building or querying a model, worded so the reader knows what to do next.
public struct EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of failure; the set may grow, so switch with a default.
    public enum Code: Sendable, Equatable {
        case invalidParameter
        case corpusTooSmall
        case emptyVocabulary
        case unknownArticle
        case numerical
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    static func invalidParameter(_ message: String) -> EngineError { EngineError(.invalidParameter, message) }
}
