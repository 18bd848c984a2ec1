/// Options that change which terms analysis produces; stored in the model so that queries are
/// analysed exactly as the articles were.
public struct AnalyzerOptions: Codable, Equatable, Sendable {
    /// Add word bigrams (`red dot`, `17 ultra`) beside single words.
    public var phrases: Bool
    /// Stem words with Snowball in the article's language.
    public var stemming: Bool
    /// Drop the language's stop words.
    public var stopWords: Bool

    public init(phrases: Bool = true, stemming: Bool = true, stopWords: Bool = true) {
        self.phrases = phrases
        self.stemming = stemming
        self.stopWords = stopWords
    }
}

/// Turns text into index terms: a `Tokenizer` followed by a chain of single-purpose filters,
/// the shape of Lucene's analyzers.
///
/// The chain, in order: lower-case → apostrophes (possessives, elisions) → stop words →
/// Snowball stem → diacritic folding → CJK bigrams → word bigrams (when `phrases` is on).
/// Filters depend on the language (primary BCP 47 subtag); a language without a Snowball
/// stemmer or a stop list is analysed without them, never rejected.
///
/// Not thread-safe (stemmers keep state, stems are cached): use one `Analyzer` per thread.
public final class Analyzer {
    public let options: AnalyzerOptions
    public let tokenizer: Tokenizer
    private var chains: [String: [any TokenFilter]] = [:]

    public init(options: AnalyzerOptions = AnalyzerOptions(), tokenizer: Tokenizer = Tokenizer()) {
        self.options = options
        self.tokenizer = tokenizer
    }

    /// The index terms of `text` in `language` (a BCP 47 tag; nil or malformed means English).
    public func analyze(_ text: String, language: String? = nil) -> [String] {
        tokens(text, language: language).map(\.text)
    }

    /// The full tokens, positions and kinds included (for tests and explanations).
    public func tokens(_ text: String, language: String? = nil) -> [Token] {
        let code = language.flatMap(Language.primarySubtag(of:)) ?? Language.defaultCode
        var tokens = tokenizer.tokenize(text)
        for filter in chain(for: code) {
            tokens = filter.filter(tokens)
        }
        return tokens
    }

    private func chain(for language: String) -> [any TokenFilter] {
        if let chain = chains[language] { return chain }
        var chain: [any TokenFilter] = [LowercaseFilter(), ApostropheFilter(language: language)]
        if options.stopWords { chain.append(StopFilter(stopWords: StopWords.list(for: language))) }
        if options.stemming, let stemmer = SnowballStemmer(language: language) {
            chain.append(StemFilter(stemmer: stemmer))
        }
        chain.append(DiacriticFoldingFilter())
        chain.append(CJKBigramFilter())
        if options.phrases { chain.append(ShingleFilter()) }
        chains[language] = chain
        return chain
    }
}
