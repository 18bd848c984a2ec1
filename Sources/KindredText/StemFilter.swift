/// Replaces words by their Snowball stem; numbers and CJK pass through.
///
/// Stems are memoised per filter: news text repeats its words, and libstemmer is the costliest
/// step of the chain.
public final class StemFilter: TokenMapper {
    let stemmer: SnowballStemmer
    private var cache: [String: String] = [:]

    public init(stemmer: SnowballStemmer) { self.stemmer = stemmer }

    public func map(_ token: Token) -> Token? {
        guard token.kind == .word else { return token }
        var token = token
        if let cached = cache[token.text] {
            token.text = cached
        } else {
            let stem = stemmer.stem(token.text)
            if cache.count > 200_000 { cache.removeAll(keepingCapacity: true) }
            cache[token.text] = stem
            token.text = stem
        }
        return token
    }
}
