/// One unit of analysed text, as it flows through the filter chain.
public struct Token: Equatable, Sendable {
    /// What the tokenizer saw, which later filters use to decide what applies.
    public enum Kind: Sendable {
        /// Letters, possibly with digits (`leica`, `200mp`).
        case word
        /// Digits only, possibly with a decimal point (`17`, `3.5`).
        case number
        /// A run of Chinese, Japanese or Korean characters; `CJKBigramFilter` splits it.
        case cjk
        /// A word bigram made by `ShingleFilter` (`red dot`).
        case phrase
    }

    public var text: String
    /// Position in the token stream; a filter that drops a token leaves a gap, so that
    /// `ShingleFilter` doesn't join words that were not next to each other.
    public var position: Int
    public var kind: Kind

    public init(_ text: String, position: Int, kind: Kind = .word) {
        self.text = text
        self.position = position
        self.kind = kind
    }
}

/// One step of an analysis chain: takes the tokens so far and returns the next stream.
///
/// Filters are single-purpose, as in Lucene's `TokenFilter`; `Analyzer` puts them in order.
public protocol TokenFilter {
    func filter(_ tokens: [Token]) -> [Token]
}

/// A filter that treats each token on its own: the token becomes at most one token, of the same
/// kind, decided by its text and kind alone (lower-casing, apostrophes, stop words, stemming,
/// folding). `Analyzer` caches what a chain of these makes of each distinct token text, so that
/// a word met again costs one lookup instead of a pass through every filter.
public protocol TokenMapper: TokenFilter {
    /// What the token becomes, or nil when it is dropped. Must not change `kind`, and must give
    /// the same result for the same text and kind.
    func map(_ token: Token) -> Token?
}

extension TokenMapper {
    public func filter(_ tokens: [Token]) -> [Token] { tokens.compactMap(map) }
}
