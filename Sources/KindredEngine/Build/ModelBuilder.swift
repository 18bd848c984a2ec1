import Foundation
import KindredLinearAlgebra

/// What the builder is doing, for progress output.
public struct BuildProgress: Sendable {
    public enum Stage: String, Sendable, CaseIterable {
        case analysis
        /// The semantic channel's vectors: embedded, or reused from the previous build.
        case semantic
        case vocabulary, weighting, svd, vectors, neighbors
        /// The approximate index's lists: trained, every article assigned (`InvertedFileIndex`).
        case lists
        /// Its graph over the same articles (`NeighborGraph`), in archives large enough for one.
        case graph
        /// Its probes and beam, measured against exact search (`EmbeddingIndex.calibrating`).
        case calibration
        /// The term vectors `V`, formed last from the article vectors (`ModelBuilder.termVectors`).
        case termVectors = "term-vectors"
    }

    public var stage: Stage
    /// Fraction of the stage done, 0…1.
    public var fraction: Double
}

/// Builds a `Model` from articles: analysis → vocabulary → TF-IDF → randomized SVD → vectors.
public struct ModelBuilder: Sendable {
    public var parameters: ModelParameters
    /// When true, a `dimensions` too large for the corpus is lowered with a notice (the default
    /// was not chosen for this corpus); when false it is an error (the user asked for it).
    public var lowerDimensionsToFit: Bool
    /// Parameters chosen from the archive's language mix (`ArchiveChoice`) instead of taken from
    /// `parameters`: what `reindex` and `eval` pass for the options the user did not set. Empty
    /// (the default) builds with `parameters` as they are.
    public var automatic: AutomaticParameters
    /// The choice made for this build, once made; recorded in the manifest.
    var archiveChoice: ArchiveChoice?
    /// Articles from which the approximate index gets its graph (`NeighborGraph.minimumArticles`
    /// unless set; 0 for every archive).
    public var graphFrom = NeighborGraph.minimumArticles
    /// Articles from which the related lists' candidates are found by neighbour descent over the
    /// approximate index (`NeighborDescent`) instead of by scoring every pair
    /// (`ListsDescent.defaultFrom` unless set; 0 for every archive).
    public var listsFrom = ListsDescent.defaultFrom
    /// The shared journal whose entries `journalSequence` counts (`ChangeJournal.identity()`),
    /// recorded in the manifest; nil for a model directory's own journal.
    public var journalIdentity: String?
    /// The sentence encoder that gives each article its semantic vector; nil builds on words
    /// alone (no encoder, no embedding cost).
    public var semantic: SemanticBuild?
    /// The semantic weight the precomputed lists are fused at when `semantic` is set
    /// (`Model.listEntries`): by-id answers at that weight read their list as it is.
    public var listsSemanticWeight = RelatedQuery.defaultSemanticWeight

    public init(
        parameters: ModelParameters = ModelParameters(), lowerDimensionsToFit: Bool = true,
        automatic: AutomaticParameters = []
    ) {
        self.parameters = parameters
        self.lowerDimensionsToFit = lowerDimensionsToFit
        self.automatic = automatic
    }

    /// A built model and what the user should know about the build.
    public struct Outcome: Sendable {
        public var model: Model
        /// Things worth saying that are not errors (dimensions lowered, articles without terms).
        public var notices: [String]
        /// How many articles were embedded, reused and left out, when the build had an encoder.
        public var semanticCounts: SemanticBuild.Counts?
    }

    /// Builds the model: analyse → weight → decompose → index → related lists, each stage a
    /// function that returns what the next one takes.
    ///
    /// The articles are consumed: their texts are released once analysed, before the vocabulary
    /// is counted, so a caller that passes its last reference (`consume`) lowers the build's peak
    /// by the corpus's size in memory.
    ///
    /// - Throws: `EngineError` for a corpus too small or with no term left after pruning, or
    ///   dimensions that don't fit; `LinearAlgebraError` from LAPACK.
    /// - Complexity: linear in the corpus text for analysis and weighting; O(nnz·l·(2q+2)) for
    ///   the SVD, with `l = dimensions + oversampling` and `q` power iterations.
    public func build(
        _ articles: consuming [Article], journalSequence: Int? = nil,
        progress: @escaping (BuildProgress) -> Void = { _ in }
    ) throws -> Outcome {
        if !automatic.isEmpty {
            var chosen = self
            let choice = ArchiveChoice(
                languageMix: LanguageMix(languageTags: articles.lazy.map(\.language)), choosing: automatic)
            chosen.parameters = choice.applied(to: parameters)
            chosen.automatic = []
            chosen.archiveChoice = choice
            return try chosen.build(consume articles, journalSequence: journalSequence, progress: progress)
        }
        try parameters.validate()
        guard articles.count >= 3 else {
            throw EngineError(.corpusTooSmall, "a model needs at least 3 articles; the corpus has \(articles.count)")
        }
        var clock = StageClock(progress: progress)
        if let notice = archiveChoice?.notice { clock.notices.append(notice) }
        let corpusDigest = Self.digest(of: articles)
        let metadata = ArticleTable(articles.lazy.map(\.metadata))
        let analysed = clock.timed(.analysis) { analyse(articles) }
        let semantic = self.semantic.map { build in
            clock.timed(.semantic) {
                build.vectors(of: articles) { progress(BuildProgress(stage: .semantic, fraction: $0)) }
            }
        }
        let articleCount = articles.count
        articles = []  // the texts are no longer needed: their memory goes before the vocabulary's
        let weighted = try weigh(consume analysed, articles: articleCount, clock: &clock)

        let dimensions = try fittedDimensions(for: weighted.matrix, notices: &clock.notices)
        var factors = try clock.timed(.svd) {
            try decompose(weighted.matrix, dimensions: dimensions, progress: progress)
        }
        // V is formed again at the end (`termVectors`): the index's build does without its
        // memory (1 KB a term at 256 dimensions).
        factors.v = DenseMatrix(rows: 0, columns: 0)
        let (vectors, lengths) = clock.timed(.vectors) { Self.articleVectors(taking: &factors) }
        let empty = lengths.count(where: { $0 == 0 })
        if empty > 0 {
            clock.notices.append(
                "\(empty) article(s) kept no term after document-frequency pruning and will get no related list")
        }
        var manifest = self.manifest(
            weighted, factors: factors, dimensions: dimensions, corpusDigest: corpusDigest, empty: empty,
            journalSequence: journalSequence, stageSeconds: clock.seconds)
        let width = min(parameters.neighbors, metadata.count - 1)
        if semantic != nil && width > 0 && listsSemanticWeight > 0 {
            manifest.listsSemanticWeight = listsSemanticWeight
        }
        var model = try Model(
            manifest: manifest, weighting: weighted.weighting, formedTermVectors: nil,
            singularValues: factors.singularValues,
            articleVectors: vectors, tfidfRows: weighted.matrix, headlineRows: weighted.headlines, articles: metadata,
            keepingIndexCodes: parameters.neighbors > 0 || metadata.count >= graphFrom,
            indexProduct: parameters.neighbors > 0)
        // The lists fuse each article's meaning in.
        model.semantic = semantic?.0
        var lists = NeighborLists.none
        let withGraph = model.articles.count >= graphFrom
        let depth = max(10, parameters.rerankDepth)
        let partition = clock.timed(.lists) {
            InvertedFileIndex.train(
                vectors: model.index.vectors, isEmptyRow: model.index.isEmptyRow, seed: parameters.seed)
        }
        let descends = model.articles.count >= listsFrom && model.index.calibrates(partition, depth: depth)
        // The related lists' search finds each article's nearest exactly: the graph's candidates,
        // when it finds as many as the graph starts from.
        var nearest: [Int32]?
        if width > 0 {
            let hubness: HubnessReport
            (lists, hubness, nearest, manifest.listsDescent) = try relatedLists(
                of: model, width: width, keepingNearest: withGraph, through: descends ? partition : nil, clock: &clock)
            manifest.hubness = hubness
        }
        var graph: NeighborGraph?
        let found = nearest.take().flatMap { $0.isEmpty ? nil : $0 }
        if withGraph && model.index.calibrates(partition, depth: depth) {
            graph = clock.timed(.graph) { model.index.graph(over: partition, seed: parameters.seed, nearest: found) }
        }
        let approximate = try clock.timed(.calibration) {
            try model.index.calibrating(partition, graph: graph.take(), seed: parameters.seed, depth: depth) {
                row, candidates in
                model.queryVector(row: row).map { model.rerank(candidates, query: $0, k: 10) } ?? []
            }
        }
        // The index's int8 codes go (`replacing`) before V comes.
        model = try model.replacing(manifest: manifest, neighborLists: lists, approximateIndex: approximate)
        let termVectors = try clock.timed(.termVectors) {
            try Self.termVectors(
                of: model.tfidfRows, articleVectors: model.index.vectors, lengths: lengths,
                singularValues: model.singularValues)
        }
        manifest.stageSeconds = clock.seconds
        model = try model.replacing(manifest: manifest, termVectors: termVectors)
        model.semantic = semantic?.0
        return Outcome(model: model, notices: clock.notices, semanticCounts: semantic?.1)
    }

    /// The weighted corpus: each article's TF-IDF and headline rows over the pruned vocabulary.
    struct WeightedCorpus {
        var weighting: TermWeighting
        var matrix: CSRMatrix
        var headlines: CSRMatrix
    }

    /// Vocabulary and weighting of the analysed articles, timed as two stages. The analysis goes
    /// with the returned value: only the weighted rows outlive this call.
    func weigh(_ analysed: consuming [AnalysedChunk], articles: Int, clock: inout StageClock) throws -> WeightedCorpus {
        var notices: [String] = []
        let (weighting, columns) = try clock.timed(.vocabulary) {
            try vocabulary(of: analysed, documentCount: articles, notices: &notices)
        }
        clock.notices += notices
        return try clock.timed(.weighting) {
            WeightedCorpus(
                weighting: weighting, matrix: try tfidfMatrix(analysed, columns: columns, weighting: weighting),
                headlines: try headlineMatrix(analysed, columns: columns, weighting: weighting))
        }
    }

    /// The dimensions the SVD can have for `matrix`: the asked-for number, or the largest that
    /// fits with a notice when it doesn't and lowering is allowed.
    func fittedDimensions(for matrix: CSRMatrix, notices: inout [String]) throws -> Int {
        let limit = min(matrix.rows, matrix.columns) - 1
        guard parameters.dimensions > limit else { return parameters.dimensions }
        let message: EngineMessage =
            "\(.dimensions) \(parameters.dimensions) must be below the number of articles (\(matrix.rows)) and of terms (\(matrix.columns))"
        guard lowerDimensionsToFit, limit >= 1 else {
            throw EngineError(.corpusTooSmall, "\(message); lower \(.dimensions) or add articles")
        }
        notices.append(EngineError(.corpusTooSmall, "\(message); using \(limit) for this corpus").message)
        return limit
    }

    /// The truncated SVD of the TF-IDF matrix (`RandomizedSVD`).
    func decompose(
        _ matrix: CSRMatrix, dimensions: Int, progress: (BuildProgress) -> Void
    ) throws -> RandomizedSVD.Result {
        let svd = RandomizedSVD(
            rank: dimensions, oversampling: parameters.oversampling, powerIterations: parameters.powerIterations,
            seed: parameters.seed)
        return try svd.decompose(matrix) { progress(BuildProgress(stage: .svd, fraction: $0)) }
    }

    /// The article vectors U·Σ, normalised to unit length, formed in U's own memory (taken out of
    /// the factors first, so the array is not copied); and each row's length before, 0 for an
    /// empty row (`termVectors` takes them).
    static func articleVectors(taking factors: inout RandomizedSVD.Result) -> (DenseMatrix, lengths: [Float]) {
        var vectors = factors.u
        factors.u = DenseMatrix(rows: 0, columns: 0)
        let d = vectors.columns
        var lengths = [Float](repeating: 0, count: vectors.rows)
        vectors.storage.withUnsafeMutableBufferPointer { storage in
            for i in 0..<vectors.rows {
                let row = UnsafeMutableBufferPointer(rebasing: storage[(i * d)..<((i + 1) * d)])
                for j in 0..<d { row[j] *= factors.singularValues[j] }
                var sum: Float = 0
                for value in row { sum += value * value }
                if Vector.normalize(row) { lengths[i] = sum.squareRoot() }
            }
        }
        return (vectors, lengths)
    }

    /// The term vectors `V = Aᵀ·U·Σ⁻¹` of the TF-IDF matrix `A`, from the article vectors (the
    /// rows of `U·Σ` divided by their `lengths`): `V = Aᵀ·diag(lengths)·vectors·Σ⁻²`, one pass
    /// over `A` (`CSRMatrix.multiplyTransposed` with row scales).
    ///
    /// Why not the SVD's own `V`: a build would hold it through every later stage, the index's
    /// build among them, which was the peak at 3 million articles. Formed here, after the index's
    /// int8 codes are gone, it costs one more pass over `A` (13–17 s at 3 million articles on two
    /// vnni Xeon cores, about a sixth of the SVD) and nothing at the peak. The two are equal
    /// in exact arithmetic: the randomized SVD's `U = Q·W` and `V = Bᵀ·W·Σ⁻¹` with `Bᵀ = Aᵀ·Q`
    /// (Halko, Martinsson & Tropp 2011, Alg. 5.1), so `V = Aᵀ·U·Σ⁻¹`; in `Float` they differ in the
    /// last bits (tested).
    ///
    /// A zero singular value (a rank the corpus does not have) gives a zero column.
    static func termVectors(
        of a: CSRMatrix, articleVectors vectors: DenseMatrix, lengths: [Float], singularValues: [Float]
    ) throws -> DenseMatrix {
        var v = DenseMatrix(rows: 0, columns: 0)
        try a.multiplyTransposed(vectors, rowScales: lengths, into: &v)
        let d = v.columns
        let factors = singularValues.map { $0 > 0 ? 1 / ($0 * $0) : 0 }
        v.storage.withUnsafeMutableBufferPointer { storage in
            for i in 0..<v.rows {
                for j in 0..<d { storage[i * d + j] *= factors[j] }
            }
        }
        return v
    }

    /// What the model says about its build.
    func manifest(
        _ weighted: WeightedCorpus, factors: RandomizedSVD.Result, dimensions: Int, corpusDigest: String, empty: Int,
        journalSequence: Int?, stageSeconds: [String: Double]
    ) -> Manifest {
        var used = parameters
        used.dimensions = dimensions
        let energy = factors.singularValues.reduce(0.0) { $0 + Double($1) * Double($1) }
        let total = weighted.matrix.values.reduce(0.0) { $0 + Double($1) * Double($1) }
        return Manifest(
            formatVersion: ModelFile.formatVersion,
            createdAt: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)),
            corpusDigest: corpusDigest, articles: weighted.matrix.rows, articlesWithoutTerms: empty,
            terms: weighted.weighting.vocabulary.count, dimensions: dimensions, parameters: used,
            explainedVariance: total > 0 ? energy / total : 0,
            leadingSingularValues: Array(factors.singularValues.prefix(10)), blas: BLASBackend.current.summary,
            stageSeconds: stageSeconds, kindredVersion: KindredVersion.current, journalSequence: journalSequence,
            archiveChoice: archiveChoice, journal: journalIdentity)
    }

    /// XXH3-128 over the articles' fields in order, each field followed by a 0 byte, as hex.
    public static func digest(of articles: [Article]) -> String {
        var hasher = Checksum()
        let separator: [UInt8] = [0]
        func add(_ text: String?) {
            var text = text ?? ""
            // The string's own UTF-8 bytes, not a copy into `Data` (a copy per field was most of
            // the cost: eight allocations an article).
            text.withUTF8 { hasher.update(UnsafeRawBufferPointer($0)) }
            separator.withUnsafeBytes { hasher.update($0) }
        }
        for article in articles {
            add(article.id)
            add(article.title)
            add(article.body)
            add(article.url)
            add(article.publishedAt.map(RFC3339.format))
            add(article.section)
            add(article.language)
            add(article.tags.joined(separator: "\u{1F}"))
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
