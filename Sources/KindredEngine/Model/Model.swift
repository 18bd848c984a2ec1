import Foundation
import KindredLinearAlgebra

/// A built LSA model: everything needed to answer "what is related to X?" for an indexed article
/// or for any new text. Immutable and `Sendable`: a server shares one between all requests.
///
/// Article vectors are the L2-normalised rows of `U·Σ`. New text is folded in with the same
/// vocabulary, IDF and term matrix `V`: `normalize(tfidf(text) · V)`. For an indexed article
/// `tfidf · V ≈ U·Σ`, so an id and a draft are ranked in the same space.
public struct Model: Sendable {
    public let manifest: Manifest
    public let weighting: TFIDFWeighting
    /// `V`, `(terms × dimensions)`.
    public let termVectors: DenseMatrix
    public let singularValues: [Float]
    public let index: EmbeddingIndex
    public let articles: [ArticleMetadata]
    private let rowByID: [String: Int]

    /// Assembles a model and checks its invariants.
    ///
    /// - Throws: `ModelInvariantError` when shapes disagree, a value is not finite, a vector is
    ///   not of unit length, or ids repeat.
    public init(
        manifest: Manifest, weighting: TFIDFWeighting, termVectors: DenseMatrix, singularValues: [Float],
        articleVectors: DenseMatrix, articles: [ArticleMetadata]
    ) throws {
        self.manifest = manifest
        self.weighting = weighting
        self.termVectors = termVectors
        self.singularValues = singularValues
        self.index = EmbeddingIndex(vectors: articleVectors)
        self.articles = articles
        var rowByID: [String: Int] = [:]
        rowByID.reserveCapacity(articles.count)
        for (row, article) in articles.enumerated() where rowByID.updateValue(row, forKey: article.id) != nil {
            throw ModelInvariantError("article id '\(article.id)' appears twice")
        }
        self.rowByID = rowByID
        try checkInvariants()
    }

    public var parameters: ModelParameters { manifest.parameters }
    public var dimensions: Int { termVectors.columns }

    /// The row of an article id, or nil.
    public func row(of id: String) -> Int? { rowByID[id] }

    /// The stored vector of an indexed article.
    public func vector(of id: String) -> [Float]? { row(of: id).map { index.vectors.row($0) } }

    /// The unit-length LSA vector of any text, or nil when none of its terms is in the vocabulary.
    ///
    /// - Parameter counter: reuse one per thread to keep stemmer caches warm; a new one by default.
    public func foldIn(
        title: String, body: String, tags: [String] = [], language: String? = nil, counter: TermCounter? = nil
    ) throws -> [Float]? {
        let counter = counter ?? TermCounter(parameters: parameters)
        let sparse = weighting.vector(
            counts: counter.counts(title: title, body: body, tags: tags, language: language))
        guard !sparse.isEmpty else { return nil }
        var vector = [Float](repeating: 0, count: dimensions)
        let d = dimensions
        termVectors.storage.withUnsafeBufferPointer { v in
            for (term, weight) in zip(sparse.indices, sparse.values) {
                let base = Int(term) * d
                for j in 0..<d { vector[j] += weight * v[base + j] }
            }
        }
        return Vector.normalize(&vector) ? vector : nil
    }
}

/// One ranked result: the article and its cosine similarity to the query.
public struct RelatedArticle: Sendable, Equatable {
    public var article: ArticleMetadata
    public var score: Float
}

extension Model {
    /// The `k` articles most related to an indexed article, best first, itself excluded.
    ///
    /// An article without indexable terms has no related list: the result is empty.
    ///
    /// - Throws: `EngineError.unknownArticle` when the id is not in the model.
    public func related(to id: String, k: Int) throws -> [RelatedArticle] {
        guard let row = row(of: id) else {
            throw EngineError(
                .unknownArticle,
                "no article with id '\(id)' in this model (\(articles.count) articles); check the id, or reindex if it was published since")
        }
        guard !index.isEmptyRow[row] else { return [] }
        return try results(index.search(index.vectors.row(row), k: k, excluding: { $0 == row }))
    }

    /// The `k` articles most related to a text that is not indexed (a draft), best first.
    /// Empty when none of the text's terms is in the vocabulary.
    public func similar(title: String = "", body: String, language: String? = nil, k: Int) throws -> [RelatedArticle] {
        guard let vector = try foldIn(title: title, body: body, language: language) else { return [] }
        return try results(index.search(vector, k: k))
    }

    /// For every article, its `k` nearest others (see `EmbeddingIndex.allNeighbors`).
    public func neighbors(k: Int, handle: (ArticleMetadata, [RelatedArticle]) throws -> Void) throws {
        try index.allNeighbors(k: k) { row, neighbors in
            try handle(articles[row], results(neighbors))
        }
    }

    private func results(_ scored: [ScoredIndex]) -> [RelatedArticle] {
        scored.map { RelatedArticle(article: articles[$0.index], score: $0.score) }
    }
}
