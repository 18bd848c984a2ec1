/// Drops stop words, leaving a gap in positions.
public struct StopFilter: TokenFilter {
    public let stopWords: Set<String>

    public init(stopWords: Set<String>) { self.stopWords = stopWords }

    public func filter(_ tokens: [Token]) -> [Token] {
        stopWords.isEmpty ? tokens : tokens.filter { $0.kind != .word || !stopWords.contains($0.text) }
    }
}
