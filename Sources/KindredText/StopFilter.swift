/// Drops stop words, leaving a gap in positions.
public struct StopFilter: TokenMapper {
    public let stopWords: Set<String>

    public init(stopWords: Set<String>) { self.stopWords = stopWords }

    public func map(_ token: Token) -> Token? {
        token.kind == .word && stopWords.contains(token.text) ? nil : token
    }
}
