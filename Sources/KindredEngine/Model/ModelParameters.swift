import KindredText

/// Everything that decides what a model is, stored in the model so queries are treated like
/// the articles were.
public struct ModelParameters: Codable, Equatable, Sendable {
    /// Tokens, stop words, stemming, phrases.
    public var analyzer: AnalyzerOptions
    /// Local × global term weighting: TF-IDF or log-entropy.
    public var weighting: WeightingScheme
    /// How many times a title (or tag) term counts against a body term. Default 2: a headline
    /// states the subject, the body also carries background; Lucene's More Like This users
    /// commonly boost the title field the same way. Tuned further on the quality issue.
    public var titleWeight: Float
    /// Terms in fewer articles than this are dropped (typos, one-off names). Default 2.
    public var minimumDocumentFrequency: Int
    /// Terms in more than this fraction of articles are dropped (boilerplate). Default 0.5, as
    /// the scikit-learn pipeline Kindred is compared with.
    public var maximumDocumentFrequency: Double
    /// The most terms the vocabulary keeps: those in the most articles (ties in text order), or
    /// every term when nil. The term side of the SVD and the model's term vectors take
    /// `dimensions` floats a term: 1 KB at 256. A generated archive of a million articles has
    /// 2.3 million terms after the frequency bounds (most of them bigrams in two or three
    /// articles), three million articles 5.5 million, so without a bound the term side
    /// outgrows the article side and the build's memory target. Debian's 191k terms are far below the
    /// default; docs/performance.md (*Scaling*) has what it changes at scale. Nil in models built
    /// before the bound existed.
    public var maximumTerms: Int?
    /// LSA dimensions. Default 256; lowered to fit a small corpus (see `ModelBuilder`).
    public var dimensions: Int
    /// Extra random directions for the range finder (Halko et al. 2011, §4.2: p = 5–10 is
    /// usually enough; 16 rounds the sketch to a multiple of SIMD width at k = 256).
    public var oversampling: Int
    /// Power (subspace) iterations (Halko et al. 2011, Alg. 4.4). Default 2, where ranking quality
    /// stops improving on every evaluation set: 3 and 4 raise the explained variance a little
    /// (Debian: 0.195 → 0.200) and no metric, and each costs two more passes over the TF-IDF
    /// matrix. docs/quality.md has the measurements.
    public var powerIterations: Int
    /// Seed of the random test matrix: the same corpus and seed give the same model.
    public var seed: UInt64
    /// Weight of the sparse TF-IDF cosine in the final score, `(1 − w)·LSA + w·TF-IDF`, when the
    /// best LSA candidates are re-ranked. LSA finds articles about the same topic in other words;
    /// TF-IDF rewards the exact names and phrases they share. Tuned in docs/quality.md.
    public var lexicalWeight: Float
    /// Weight `c` of the headline match in the re-ranking score: how much of one article's text is
    /// about the other's headline, both ways, `cos(text₁, headline₂) + cos(headline₁, text₂)`. A story
    /// that mentions what another story is about is related to it. The blended score is divided
    /// by `1 + 2c`, so it stays within −1…1. Tuned in docs/quality.md.
    public var headlineWeight: Float
    /// How many LSA candidates are re-ranked with the blended score (at least k are).
    public var rerankDepth: Int
    /// Related articles precomputed per article at build time (0: none). Default 100, the
    /// largest `k` the HTTP API serves, so by-id requests never search.
    public var neighbors: Int
    /// The most precomputed lists one article may appear in within their first
    /// `HubnessReport.depth` places (0: no cap). See `NeighborLists.cappingHubs`; measured in
    /// docs/quality.md.
    public var hubCap: Int

    public init(
        analyzer: AnalyzerOptions = AnalyzerOptions(), weighting: WeightingScheme = .tfidf, titleWeight: Float = 2,
        minimumDocumentFrequency: Int = 2,
        maximumDocumentFrequency: Double = 0.5, maximumTerms: Int? = ModelParameters.defaultMaximumTerms,
        dimensions: Int = 256, oversampling: Int = 16,
        powerIterations: Int = 2, seed: UInt64 = 20_111_217, lexicalWeight: Float = 0.5, headlineWeight: Float = 0.3,
        rerankDepth: Int = 100,
        neighbors: Int = 100, hubCap: Int = ModelParameters.defaultHubCap
    ) {
        self.analyzer = analyzer
        self.weighting = weighting
        self.titleWeight = titleWeight
        self.minimumDocumentFrequency = minimumDocumentFrequency
        self.maximumDocumentFrequency = maximumDocumentFrequency
        self.maximumTerms = maximumTerms
        self.dimensions = dimensions
        self.oversampling = oversampling
        self.powerIterations = powerIterations
        self.seed = seed
        self.lexicalWeight = lexicalWeight
        self.headlineWeight = headlineWeight
        self.rerankDepth = rerankDepth
        self.neighbors = neighbors
        self.hubCap = hubCap
    }

    /// Default hub cap: five times the mean appearance count at depth 10; docs/quality.md (*Hub
    /// cap*) has what it does to Debian's lists and to quality.
    public static let defaultHubCap = 50

    /// Default vocabulary bound (`maximumTerms`): a million terms, 1 KB of term vector each at
    /// 256 dimensions.
    public static let defaultMaximumTerms = 1_000_000

    /// Checks each value against its range.
    ///
    /// - Throws: `EngineError.invalidParameter` naming the value, what was seen and the range.
    public func validate() throws {
        guard titleWeight.isFinite, (0...100).contains(titleWeight) else {
            throw EngineError.invalid(.titleWeight, titleWeight, allowed: "between 0 and 100")
        }
        guard minimumDocumentFrequency >= 1 else {
            throw EngineError.invalid(.minimumDocumentFrequency, minimumDocumentFrequency, allowed: "at least 1")
        }
        guard maximumDocumentFrequency > 0, maximumDocumentFrequency <= 1 else {
            throw EngineError.invalid(
                .maximumDocumentFrequency, maximumDocumentFrequency, allowed: "a fraction of articles in (0, 1]")
        }
        if let maximumTerms, maximumTerms < 1 {
            throw EngineError.invalid(.maximumTerms, maximumTerms, allowed: "at least 1")
        }
        guard dimensions >= 1, dimensions <= 4096 else {
            throw EngineError.invalid(.dimensions, dimensions, allowed: "between 1 and 4096")
        }
        guard (0...512).contains(oversampling) else {
            throw EngineError.invalid(.oversampling, oversampling, allowed: "between 0 and 512")
        }
        guard lexicalWeight.isFinite, (0...1).contains(lexicalWeight) else {
            throw EngineError.invalid(.lexicalWeight, lexicalWeight, allowed: "between 0 and 1")
        }
        guard headlineWeight.isFinite, (0...10).contains(headlineWeight) else {
            throw EngineError.invalid(.headlineWeight, headlineWeight, allowed: "between 0 and 10")
        }
        guard (1...10_000).contains(rerankDepth) else {
            throw EngineError.invalid(.rerankDepth, rerankDepth, allowed: "between 1 and 10000")
        }
        guard (0...1000).contains(neighbors) else {
            throw EngineError.invalid(.neighbors, neighbors, allowed: "between 0 and 1000")
        }
        guard hubCap >= 0 else {
            throw EngineError.invalid(.hubCap, hubCap, allowed: "0 (none) or positive")
        }
        guard (0...32).contains(powerIterations) else {
            throw EngineError.invalid(.powerIterations, powerIterations, allowed: "between 0 and 32")
        }
    }
}
