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
/// The filters up to folding treat each token on its own (`TokenMapper`); what they make of a
/// token text is cached per language, so a word met again costs one dictionary lookup rather
/// than five filters and their arrays (a third of the analysis time on Debian's corpus). The
/// token's kind comes from its text (`Tokenizer`), so the text alone is the key.
///
/// Not thread-safe (stemmers keep state, results are cached): use one `Analyzer` per thread.
public final class Analyzer {
    public let options: AnalyzerOptions
    public let tokenizer: Tokenizer
    private var chains: [String: Chain] = [:]
    /// The last language tag seen and its primary subtag: an article's title, tags and body
    /// share one, and so do most articles.
    private var lastTag: String?
    private var lastCode = Language.defaultCode

    /// A language's filters: the per-token ones, what they made of each token text (nil: the
    /// token is dropped) and how often the text was met, and the rest.
    private final class Chain {
        let mappers: [any TokenMapper]
        let rest: [any TokenFilter]
        /// Token text → its place in `mapped` and `counts`.
        var cache: [String: Int] = [:]
        var mapped: [String?] = []
        var counts: [Int] = []
        init(mappers: [any TokenMapper], rest: [any TokenFilter]) {
            self.mappers = mappers
            self.rest = rest
        }
    }

    /// Per term, the token text it came from most often and how often, from chains emptied at
    /// the cache limit; `surfaceForms()` adds the rest.
    private var harvested: [String: SurfaceForm] = [:]
    /// Whether `harvested` is kept: by a model build, not by a long-running server's queries, in
    /// which it would only grow.
    public var recordsSurfaceForms = false

    /// The most token texts a chain remembers before it starts afresh.
    static let cacheLimit = 500_000

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
        if language != lastTag {
            lastTag = language
            lastCode = language.flatMap(Language.primarySubtag(of:)) ?? Language.defaultCode
        }
        let chain = chain(for: lastCode)
        var tokens: [Token] = []
        for token in tokenizer.tokenize(text) {
            let entry: Int
            if let known = chain.cache[token.text] {
                entry = known
            } else {
                var result: Token? = token
                for mapper in chain.mappers {
                    guard let current = result else { break }
                    result = mapper.map(current)
                }
                if chain.cache.count >= Self.cacheLimit { harvest(chain) }
                entry = chain.mapped.count
                chain.cache[token.text] = entry
                chain.mapped.append(result?.text)
                chain.counts.append(0)
            }
            if recordsSurfaceForms { chain.counts[entry] += 1 }
            if let mapped = chain.mapped[entry] {
                tokens.append(Token(mapped, position: token.position, kind: token.kind))
            }
        }
        for filter in chain.rest {
            tokens = filter.filter(tokens)
        }
        return tokens
    }

    /// Per term, the token text it was analysed from most often and how often: what a reader
    /// would recognise for a stem such as "smartphon". Case variants count apart ("Battery" and
    /// "battery"); the caller lower-cases the winner.
    public func surfaceForms() -> [String: SurfaceForm] {
        for chain in chains.values { harvest(chain) }
        return harvested
    }

    /// Moves a chain's counts into `harvested` and empties its cache. One dictionary update per
    /// distinct token text: the per-token cost of counting is the `counts` increment alone.
    private func harvest(_ chain: Chain) {
        if recordsSurfaceForms {
            for (text, entry) in chain.cache {
                guard let term = chain.mapped[entry] else { continue }
                let form = SurfaceForm(text: text, count: chain.counts[entry])
                if harvested[term].map(form.beats) ?? true { harvested[term] = form }
            }
        }
        chain.cache.removeAll(keepingCapacity: true)
        chain.mapped.removeAll(keepingCapacity: true)
        chain.counts.removeAll(keepingCapacity: true)
    }

    private func chain(for language: String) -> Chain {
        if let chain = chains[language] { return chain }
        var mappers: [any TokenMapper] = [LowercaseFilter(), ApostropheFilter(language: language)]
        if options.stopWords { mappers.append(StopFilter(stopWords: StopWords.list(for: language))) }
        if options.stemming, let stemmer = SnowballStemmer(language: language) {
            mappers.append(StemFilter(stemmer: stemmer))
        }
        mappers.append(DiacriticFoldingFilter())
        var rest: [any TokenFilter] = [CJKBigramFilter()]
        if options.phrases { rest.append(ShingleFilter()) }
        let chain = Chain(mappers: mappers, rest: rest)
        chains[language] = chain
        return chain
    }
}

/// A token text a term was analysed from, and how often.
public struct SurfaceForm: Sendable, Equatable {
    public var text: String
    public var count: Int

    public init(text: String, count: Int) {
        self.text = text
        self.count = count
    }

    /// More frequent, or as frequent and first in text order: a choice that doesn't depend on
    /// the order forms are met in (dictionaries iterate in a per-process order).
    public func beats(_ other: SurfaceForm) -> Bool { (count, other.text) > (other.count, text) }
}
