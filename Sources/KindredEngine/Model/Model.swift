import Foundation
import KindredLinearAlgebra
import KindredText

/// A built model: everything needed to answer "what is related to X?" for an indexed article
/// or for any new text. Immutable and `Sendable`: a server shares one between all requests.
///
/// Article vectors are the L2-normalised rows of `U·Σ`. New text is folded in with the same
/// vocabulary, IDF and term matrix `V`: `normalize(tfidf(text) · V)`. For an indexed article
/// `tfidf · V ≈ U·Σ`, so an id and a draft are ranked in the same space.
///
/// Ranking is two-stage: the `rerankDepth` best articles by LSA cosine are re-scored with
/// `(1 − w)·LSA cosine + w·TF-IDF cosine` (`w` = `lexicalWeight`), which keeps LSA's reach to
/// articles worded differently and adds the precision of shared names and phrases.
public struct Model: Sendable {
    public let manifest: Manifest
    public let weighting: TermWeighting
    /// `V`, `(terms × dimensions)`; no rows only inside a build, until its last stage forms them
    /// (`termVectorsPending`).
    public let termVectors: DenseMatrix
    /// True for a model a build has not given its term vectors yet (`ModelBuilder.termVectors`):
    /// it ranks indexed articles but can't fold in text, and is never written or served.
    let termVectorsPending: Bool
    public let singularValues: [Float]
    public let index: EmbeddingIndex
    /// The articles' unit-length TF-IDF vectors, `(articles × terms)`, for re-ranking.
    public let tfidfRows: CSRMatrix
    /// The articles' headline (title and tags) vectors, same weights, for the headline match.
    public let headlineRows: CSRMatrix
    /// The articles' metadata, packed (`ArticleTable`), in row order.
    public let articles: ArticleTable
    /// Each article's best related articles, when computed at build time.
    public let neighborLists: NeighborLists
    /// The semantic channel's vectors, when the model was built with a sentence encoder.
    public internal(set) var semantic: SemanticVectors?
    /// The tables derived from `articles`: ids, URLs, recency, languages and sections.
    let lookups: ArticleLookups
    /// Rows by publication time, newest first, undated ones last: the fallback's order.
    var rowsByRecency: [Int32] { lookups.rowsByRecency }
    /// Each row's language as a small code (its primary subtag interned), so a language filter
    /// compares integers rather than parsing tags for every candidate.
    var languageCodes: [Int32] { lookups.languageCodes }

    /// Assembles a model and checks its invariants.
    ///
    /// - Throws: `ModelInvariantError` when shapes disagree, a value is not finite, a vector is
    ///   not of unit length, or ids repeat.
    ///
    /// - Parameters:
    ///   - keepingIndexCodes: keep the index's int8 codes for an all-pairs search or a graph's
    ///     build to come (a build), instead of quantising the vectors again there (`EmbeddingIndex`).
    ///   - indexProduct: false when the index's int8 product is not worth its memory (a build
    ///     that computes no related lists: `EmbeddingIndex.init`'s `withProduct`).
    public init(
        manifest: Manifest, weighting: TermWeighting, termVectors: DenseMatrix, singularValues: [Float],
        articleVectors: DenseMatrix, tfidfRows: CSRMatrix, headlineRows: CSRMatrix, articles: ArticleTable,
        neighborLists: NeighborLists = .none, approximateIndex: ApproximateIndex? = nil,
        search: SearchSettings = SearchSettings(), keepingIndexCodes: Bool = false, indexProduct: Bool = true
    ) throws {
        try self.init(
            manifest: manifest, weighting: weighting, formedTermVectors: termVectors, singularValues: singularValues,
            articleVectors: articleVectors, tfidfRows: tfidfRows, headlineRows: headlineRows, articles: articles,
            neighborLists: neighborLists, approximateIndex: approximateIndex, search: search,
            keepingIndexCodes: keepingIndexCodes, indexProduct: indexProduct)
    }

    /// The public initialiser's work; `formedTermVectors` is nil for a build's model until its
    /// last stage (`termVectorsPending`).
    init(
        manifest: Manifest, weighting: TermWeighting, formedTermVectors termVectors: DenseMatrix?,
        singularValues: [Float], articleVectors: DenseMatrix, tfidfRows: CSRMatrix, headlineRows: CSRMatrix,
        articles: ArticleTable, neighborLists: NeighborLists = .none, approximateIndex: ApproximateIndex? = nil,
        search: SearchSettings = SearchSettings(), keepingIndexCodes: Bool = false, indexProduct: Bool = true
    ) throws {
        // The index (quantising, oneDNN's reorders) and the lookups (hashing ids and URLs) are
        // independent: one core each.
        var index: EmbeddingIndex?
        var lookups: Result<ArticleLookups, ModelInvariantError>?
        Parallel.forEach(2) { task in
            if task == 0 {
                index = EmbeddingIndex(
                    vectors: articleVectors, keepingCodes: keepingIndexCodes, approximateIndex: approximateIndex,
                    search: search, withProduct: indexProduct)
            } else {
                lookups = Result { () throws(ModelInvariantError) in try ArticleLookups(articles) }
            }
        }
        try self.init(
            manifest: manifest, weighting: weighting,
            termVectors: termVectors ?? DenseMatrix(rows: 0, columns: articleVectors.columns),
            singularValues: singularValues, index: index!, tfidfRows: tfidfRows, headlineRows: headlineRows,
            articles: articles, neighborLists: neighborLists, lookups: try lookups!.get(),
            termVectorsPending: termVectors == nil)
    }

    /// This model with other precomputed lists and manifest, sharing the search index (whose
    /// oneDNN weights are not rebuilt; int8 codes kept for the lists' search are let go).
    func replacing(
        manifest: Manifest, neighborLists: NeighborLists, approximateIndex: ApproximateIndex? = nil
    ) throws -> Model {
        var index = self.index.droppingCodes()
        if let approximateIndex { index = index.attaching(approximateIndex) }
        var model = try Model(
            manifest: manifest, weighting: weighting, termVectors: termVectors, singularValues: singularValues,
            index: index, tfidfRows: tfidfRows, headlineRows: headlineRows, articles: articles,
            neighborLists: neighborLists, lookups: lookups, termVectorsPending: termVectorsPending, dataChecked: true)
        model.semantic = semantic
        return model
    }

    /// This build's model with its term vectors and final manifest (`termVectorsPending`).
    func replacing(manifest: Manifest, termVectors: DenseMatrix) throws -> Model {
        var model = try Model(
            manifest: manifest, weighting: weighting, termVectors: termVectors, singularValues: singularValues,
            index: index, tfidfRows: tfidfRows, headlineRows: headlineRows, articles: articles,
            neighborLists: neighborLists, lookups: lookups, termVectorsPending: false, dataChecked: true)
        model.semantic = semantic
        try model.checkTermVectors()
        return model
    }

    private init(
        manifest: Manifest, weighting: TermWeighting, termVectors: DenseMatrix, singularValues: [Float],
        index: EmbeddingIndex, tfidfRows: CSRMatrix, headlineRows: CSRMatrix, articles: ArticleTable,
        neighborLists: NeighborLists, lookups: ArticleLookups, termVectorsPending: Bool, dataChecked: Bool = false
    ) throws {
        self.manifest = manifest
        self.weighting = weighting
        self.termVectors = termVectors
        self.termVectorsPending = termVectorsPending
        self.singularValues = singularValues
        self.index = index
        self.tfidfRows = tfidfRows
        self.headlineRows = headlineRows
        self.articles = articles
        self.neighborLists = neighborLists
        self.lookups = lookups
        // A model made from a checked one with other lists needs only the lists and counts checked.
        try checkInvariants(includingData: !dataChecked)
    }

    public var parameters: ModelParameters { manifest.parameters }
    public var dimensions: Int { termVectors.columns }

    /// The row of an article id, or nil.
    public func row(of id: String) -> Int? { lookups.rowByID[id] }

    /// The code of a primary language subtag in `languageCodes`; −1 when no article has it.
    func languageCode(of subtag: String) -> Int32 { lookups.languageCodeBySubtag[subtag] ?? -1 }

    /// The row of the article with this URL (compared as `OutboundLinks.normalizedURL`), or nil.
    public func row(ofURL url: String) -> Int? { lookups.rowByURL[OutboundLinks.normalizedURL(url)] }

    /// The stored LSA vector of an indexed article.
    public func vector(of id: String) -> [Float]? { row(of: id).map { index.vectors.row($0) } }

    /// What a query is compared with: its LSA vector, its sparse TF-IDF vector and its headline's.
    public struct QueryVector: Sendable {
        public var dense: [Float]
        public var sparse: SparseVector
        public var headline: SparseVector
    }

    /// The query vectors of an indexed article; nil when it has no indexable term.
    public func queryVector(row: Int) -> QueryVector? {
        index.isEmptyRow[row]
            ? nil
            : QueryVector(dense: index.vectors.row(row), sparse: tfidfRows.row(row), headline: headlineRows.row(row))
    }

    /// The query vectors of any text, or nil when none of its terms is in the vocabulary.
    ///
    /// - Parameter counter: reuse one per thread to keep stemmer caches warm; a new one by default.
    public func queryVector(
        title: String, body: String, tags: [String] = [], language: String? = nil, counter: TermCounter? = nil
    ) -> QueryVector? {
        // Only a build holds such a model, and it folds no text in.
        precondition(!termVectorsPending, "a model still being built has no term vectors to fold text in with")
        let counter = counter ?? TermCounter(parameters: parameters)
        let sparse = weighting.vector(counts: counter.counts(title: title, body: body, tags: tags, language: language))
        guard !sparse.isEmpty else { return nil }
        var vector = [Float](repeating: 0, count: dimensions)
        let d = dimensions
        termVectors.storage.withUnsafeBufferPointer { v in
            for (term, weight) in zip(sparse.indices, sparse.values) {
                let base = Int(term) * d
                for j in 0..<d { vector[j] += weight * v[base + j] }
            }
        }
        let headline = weighting.vector(counts: counter.headlineCounts(title: title, tags: tags, language: language))
        return Vector.normalize(&vector) ? QueryVector(dense: vector, sparse: sparse, headline: headline) : nil
    }

    /// The unit-length LSA vector of any text (see `queryVector(title:body:tags:language:counter:)`).
    public func foldIn(
        title: String, body: String, tags: [String] = [], language: String? = nil, counter: TermCounter? = nil
    ) -> [Float]? {
        queryVector(title: title, body: body, tags: tags, language: language, counter: counter)?.dense
    }

    /// The re-ranking score of a candidate: `((1 − w)·LSA + w·TF-IDF + c·headline match) / (1 + 2c)`.
    @inline(__always)
    func blend(_ query: QueryVector, lsa: Float, sparse: SparseVector, headline: SparseVector) -> Float {
        mix(
            lsa: lsa, lexical: query.sparse.dot(sparse),
            headlineMatch: query.sparse.dot(headline) + query.headline.dot(sparse))
    }

    /// `blend` against an indexed article, its TF-IDF and headline rows read in place.
    @inline(__always)
    func blend(_ query: QueryVector, lsa: Float, row: Int) -> Float {
        mix(
            lsa: lsa, lexical: tfidfRows.dot(row: row, query.sparse),
            headlineMatch: headlineRows.dot(row: row, query.sparse) + tfidfRows.dot(row: row, query.headline))
    }

    /// `blend` against an indexed article, with the query (TF-IDF, headline) in `scattered`.
    @inline(__always)
    func blend(lsa: Float, row: Int, scattered: ScatteredPair) -> Float {
        // (TF-IDF row · query TF-IDF, TF-IDF row · query headline): both from one pass.
        let tfidf = scattered.dot(row: row, of: tfidfRows)
        return mix(lsa: lsa, lexical: tfidf.x, headlineMatch: scattered.dot(row: row, of: headlineRows).x + tfidf.y)
    }

    /// The blend's arithmetic; each similarity is computed only when its weight is not zero.
    @inline(__always)
    private func mix(lsa: Float, lexical: @autoclosure () -> Float, headlineMatch: @autoclosure () -> Float) -> Float {
        let w = parameters.lexicalWeight, c = parameters.headlineWeight
        var score = (1 - w) * lsa
        if w > 0 { score += w * lexical() }
        if c > 0 { score += c * headlineMatch() }
        return score / (1 + 2 * c)
    }

    /// The `k` best rows for a query, best first: LSA top `rerankDepth`, re-scored by the blend.
    ///
    /// - Parameters:
    ///   - exact: score every article even when the model searches approximately.
    ///   - probes: the approximate index's lists to probe, instead of the model's setting.
    ///   - beam: the approximate index's graph beam, instead of the model's setting.
    ///   - rows: every row `excluding` admits is among these, when known (`rows(section:languageCode:since:until:)`).
    public func rank(
        _ query: QueryVector, k: Int, exact: Bool = false, probes: Int? = nil, beam: Int? = nil,
        heldOut: Int? = nil, amongRows rows: ArraySlice<Int32>? = nil, excluding: (Int) -> Bool = { _ in false }
    ) throws -> [ScoredIndex] {
        let depth = max(k, parameters.rerankDepth)
        let candidates = try index.search(
            query.dense, k: depth, exact: exact, probes: probes, beam: beam, heldOut: heldOut, amongRows: rows,
            excluding: excluding)
        return rerank(candidates, query: query, k: k)
    }

    /// The score article `b` gets in article `a`'s related list before any ranking control (the
    /// blend of LSA, TF-IDF and headline similarity), computed for the pair directly instead of
    /// found in a top-k; nil when either article has no indexed term.
    public func similarity(row a: Int, to b: Int) -> Float? {
        guard let query = queryVector(row: a), !index.isEmptyRow[b] else { return nil }
        return blend(query, lsa: lsaCosine(query.dense, row: b), row: b)
    }

    /// The LSA cosine of a unit query vector and row `row`, read in place.
    func lsaCosine(_ query: [Float], row: Int) -> Float {
        index.vectors.storage.withUnsafeBufferPointer { vectors in
            query.withUnsafeBufferPointer {
                Vector.dot($0.baseAddress!, vectors.baseAddress! + row * dimensions, count: dimensions)
            }
        }
    }

    /// Re-scores LSA candidates with the blend and keeps the best `k`.
    ///
    /// - Parameter scattered: for a build's every-article pass, a `ScatteredPair` of the
    ///   vocabulary's size to spread the query in (the same scores, a third of the time); a
    ///   single query merges index lists instead of filling one.
    func rerank(
        _ candidates: [ScoredIndex], query: QueryVector, k: Int, scattered: ScatteredPair? = nil
    ) -> [ScoredIndex] {
        guard parameters.lexicalWeight > 0 || parameters.headlineWeight > 0 else { return Array(candidates.prefix(k)) }
        var top = TopK(k: k)
        if let scattered {
            scattered.load(query.sparse, query.headline)
            defer { scattered.clear() }
            for candidate in candidates {
                let score = blend(lsa: candidate.score, row: candidate.index, scattered: scattered)
                top.offer(index: candidate.index, score: score)
            }
        } else {
            for candidate in candidates {
                top.offer(index: candidate.index, score: blend(query, lsa: candidate.score, row: candidate.index))
            }
        }
        return top.sorted()
    }
}

/// One ranked result: the article, its score (the blended similarity, −1…1, times the
/// freshness factor when freshness is on) and why it is in the list.
public struct RelatedArticle: Sendable, Equatable {
    public var article: ArticleMetadata
    public var score: Float
    public var reason: Reason
    /// The query (a draft) already links to this article.
    public var alreadyLinked: Bool
    /// Set when the query asked to explain.
    public var explanation: Explanation?

    public enum Reason: String, Sendable, Equatable, Codable {
        /// Ranked by similarity.
        case related
        /// Pinned by an editor.
        case pinned
        /// Filling a list the relevance floor left short (see `FallbackPolicy`).
        case fallback
    }

    public init(
        article: ArticleMetadata, score: Float, reason: Reason = .related, alreadyLinked: Bool = false,
        explanation: Explanation? = nil
    ) {
        self.article = article
        self.score = score
        self.reason = reason
        self.alreadyLinked = alreadyLinked
        self.explanation = explanation
    }
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
                "no article with id '\(id)' in this model (\(articles.count) articles); check the id, or reindex if it was published since"
            )
        }
        guard let query = queryVector(row: row) else { return [] }
        return results(try rank(query, k: k, excluding: { $0 == row }))
    }

    /// The `k` articles most related to a text that is not indexed (a draft), best first.
    /// Empty when none of the text's terms is in the vocabulary.
    public func similar(title: String = "", body: String, language: String? = nil, k: Int) throws -> [RelatedArticle] {
        guard let query = queryVector(title: title, body: body, language: language) else { return [] }
        return results(try rank(query, k: k))
    }

    /// For every article, its `k` nearest others, in row order: read from the precomputed lists
    /// when they are wide enough, else computed (see `rankAll`).
    public func neighbors(k: Int, handle: (ArticleMetadata, [RelatedArticle]) throws -> Void) throws {
        if k <= neighborLists.width {
            for row in articles.indices {
                try handle(articles[row], results(Array(neighborLists.list(of: row).prefix(k))))
            }
            return
        }
        try rankAll(k: k) { row, ranked in try handle(articles[row], results(ranked)) }
    }

    /// Every article ranked against all others with blocked matrix products, then re-ranked like
    /// a single query and fused with its meaning at the lists' weight (`listEntries`);
    /// `handle(row, best first)` is called in row order, `progress` with the fraction done.
    ///
    /// - Parameter nearest: given each row's nearest others by LSA cosine before the re-ranking
    ///   (`max(k, rerankDepth)` of them, best first), on the search's worker threads, each row
    ///   once: the build keeps them as its graph's candidates (`ModelBuilder.neighborLists`).
    /// - Parameter candidates: each row's nearest others found beforehand (`NeighborDescent`), at
    ///   least `max(k, rerankDepth)` a row: only those are scored. Nil scores every pair.
    /// - Complexity: O(n²·d) flops in the BLAS and O(n²) comparisons: the quadratic stage of a
    ///   build; O(n·c·d) for `c` given candidates a row.
    public func rankAll(
        k: Int, candidates: NearestTable? = nil, progress: (Double) -> Void = { _ in },
        nearest: ((Int, [ScoredIndex]) -> Void)? = nil, handle: (Int, [ScoredIndex]) throws -> Void
    ) throws {
        let depth = max(k, parameters.rerankDepth)
        let scatteredQueries = ScatteredPair.Pool(dimension: tfidfRows.columns)
        // Fused lists keep every re-ranked candidate for the fusion to choose among, and take
        // each article's nearest by meaning from one all-pairs search.
        let kept = listsSemanticWeight > 0 ? depth : k
        let meanings = try semanticNeighbors(k: depth)
        // The re-ranking runs on the search's worker threads, beside the candidate stage.
        try index.allNeighbors(
            k: depth, method: candidates.map { .given($0) } ?? .automatic,
            refine: { row, candidates in
                nearest?(row, candidates)
                guard let query = queryVector(row: row) else { return [] }
                let words = scatteredQueries.with { rerank(candidates, query: query, k: kept, scattered: $0) }
                return listEntries(
                    row: row, words: words, query: query, k: k, nearest: meanings?.list(of: row),
                    blending: { more in
                        scatteredQueries.with { rerank(more, query: query, k: more.count, scattered: $0) }
                    }
                ) { _ in false }
            },
            progress: progress, handle: handle)
    }

    func results(_ scored: [ScoredIndex]) -> [RelatedArticle] {
        scored.map { RelatedArticle(article: articles[$0.index], score: $0.score) }
    }
}
