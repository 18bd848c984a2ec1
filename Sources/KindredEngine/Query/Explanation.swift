import KindredLinearAlgebra

/// Why a result was picked: how much of its score came from shared words and how much from
/// meaning, the parts of the words' score, the weighted terms it shares with the query, and the
/// LSA dimensions that brought the two together (each described by its top terms).
///
/// Terms are shown as readers see them, not as indexed: each stem as its most frequent surface
/// form in the corpus (`Vocabulary.surfaceForm`), lower-cased, a phrase as its words joined by a
/// space.
public struct Explanation: Sendable, Equatable, Codable {
    /// The LSA cosine.
    public var lsa: Float
    /// The TF-IDF cosine.
    public var lexical: Float
    /// The headline match, `cos(text, other headline) + cos(headline, other text)`.
    public var headline: Float
    /// The multiplier freshness applied (1 without freshness).
    public var freshness: Float
    /// The score on shared words: `((1 − w)·lsa + w·lexical + c·headline) / (1 + 2c)`.
    public var words: Float
    /// The cosine of the two articles' sentence-encoder vectors (docs/semantic.md); nil when
    /// either has none or the query gives meaning no weight.
    public var meaning: Float?
    /// The share of the score that is meaning: the query's semantic weight `s` when `meaning` is
    /// there, else 0. Before freshness and overrides the score is `(1 − s)·words + s·meaning`.
    public var semanticWeight: Float
    /// Terms in both, by their share of the TF-IDF cosine, largest first.
    public var sharedTerms: [TermContribution]
    /// Dimensions by their share of the LSA cosine, largest first.
    public var dimensions: [DimensionContribution]

    /// Spelled as the API sends them, so that its encoders need no key conversion.
    enum CodingKeys: String, CodingKey {
        case lsa, lexical, headline, freshness, dimensions, words, meaning
        case sharedTerms = "shared_terms"
        case semanticWeight = "semantic_weight"
    }

    public struct TermContribution: Sendable, Equatable, Codable {
        public var term: String
        /// `q_t · d_t`: this term's part of the TF-IDF cosine.
        public var weight: Float
    }

    public struct DimensionContribution: Sendable, Equatable, Codable {
        /// 1-based, in order of singular value.
        public var dimension: Int
        /// `q_j · d_j`: this dimension's part of the LSA cosine.
        public var weight: Float
        /// The terms loading most on the dimension in the direction the two share.
        public var terms: [String]
    }
}

extension Model {
    /// Explains the score of `other` against `query`.
    ///
    /// - Parameter describe: the terms of dimension `j` on the side of its sign in the query; the
    ///   same for every result of one query, so callers cache it (`topTerms(ofDimension:for:count:)`).
    ///   - meaning: the cosine of the two sides' encoder vectors and the weight it had, when it had one.
    func explanation(
        of query: QueryVector, against other: QueryVector, freshness: Float,
        meaning: (cosine: Float, weight: Float)? = nil, terms: Int = 5, dimensions shown: Int = 3,
        describe: (Int) -> [String]
    ) -> Explanation {
        let vocabulary = weighting.vocabulary
        var shared: [Explanation.TermContribution] = []
        query.sparse.forEachShared(with: other.sparse) { term, product in
            shared.append(.init(term: vocabulary.surfaceForm(Int(term)), weight: product))
        }
        shared.sort { ($0.weight, $1.term) > ($1.weight, $0.term) }
        let parts = (0..<dimensions).map { query.dense[$0] * other.dense[$0] }
        let top = parts.indices.sorted { (parts[$0], $1) > (parts[$1], $0) }.prefix(shown).filter { parts[$0] > 0 }
        let lsa = Vector.dot(query.dense, other.dense)
        return Explanation(
            lsa: lsa, lexical: query.sparse.dot(other.sparse),
            headline: query.sparse.dot(other.headline) + query.headline.dot(other.sparse), freshness: freshness,
            words: blend(query, lsa: lsa, sparse: other.sparse, headline: other.headline), meaning: meaning?.cosine,
            semanticWeight: meaning?.weight ?? 0, sharedTerms: Array(shared.prefix(terms)),
            dimensions: top.map { .init(dimension: $0 + 1, weight: parts[$0], terms: describe($0)) })
    }

    /// The terms loading most on dimension `j` in the direction `query` leans on it: a dimension
    /// with a positive part in a cosine is one both vectors lean on the same way, so its terms on
    /// that side are what the two share.
    ///
    /// - Complexity: O(terms) — hence cached per query.
    func topTerms(ofDimension j: Int, for query: QueryVector, count: Int = 5) -> [String] {
        let sign: Float = query.dense[j] >= 0 ? 1 : -1
        let d = dimensions
        var best = TopK(k: count)
        termVectors.storage.withUnsafeBufferPointer { v in
            for term in 0..<termVectors.rows { best.offer(index: term, score: sign * v[term * d + j]) }
        }
        return best.sorted().filter { $0.score > 0 }.map { weighting.vocabulary.surfaceForm($0.index) }
    }
}
