import Crypto
import Foundation
import KindredLinearAlgebra

/// What the builder is doing, for progress output.
public struct BuildProgress: Sendable {
    public enum Stage: String, Sendable, CaseIterable {
        case analysis, vocabulary, weighting, svd, vectors, neighbors
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

    public init(parameters: ModelParameters = ModelParameters(), lowerDimensionsToFit: Bool = true) {
        self.parameters = parameters
        self.lowerDimensionsToFit = lowerDimensionsToFit
    }

    /// A built model and what the user should know about the build.
    public struct Outcome: Sendable {
        public var model: Model
        /// Things worth saying that are not errors (dimensions lowered, articles without terms).
        public var notices: [String]
    }

    /// Builds the model.
    ///
    /// The articles are consumed: their texts are released once analysed, before the SVD, so a
    /// caller that passes its last reference (`consume`) lowers the build's peak by the corpus's
    /// size in memory.
    ///
    /// - Throws: `EngineError` for a corpus too small or with no term left after pruning, or
    ///   dimensions that don't fit; `LinearAlgebraError` from LAPACK.
    /// - Complexity: linear in the corpus text for analysis and weighting; O(nnz·l·(2q+2)) for
    ///   the SVD, with `l = dimensions + oversampling` and `q` power iterations.
    public func build(
        _ articles: consuming [Article], journalSequence: Int? = nil, progress: (BuildProgress) -> Void = { _ in }
    ) throws -> Outcome {
        try parameters.validate()
        guard articles.count >= 3 else {
            throw EngineError(.corpusTooSmall, "a model needs at least 3 articles; the corpus has \(articles.count)")
        }
        var notices: [String] = []
        var seconds: [String: Double] = [:]
        let clock = ContinuousClock()
        func timed<T>(_ stage: BuildProgress.Stage, _ work: () throws -> T) rethrows -> T {
            progress(BuildProgress(stage: stage, fraction: 0))
            let start = clock.now
            let result = try work()
            let elapsed = clock.now - start
            seconds[stage.rawValue] = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            progress(BuildProgress(stage: stage, fraction: 1))
            return result
        }

        let corpusDigest = Self.digest(of: articles)
        let metadata = articles.map(\.metadata)
        let (weighting, matrix, headlines) = try { () throws -> (TermWeighting, CSRMatrix, CSRMatrix) in
            let analysed = timed(.analysis) { analyse(articles) }
            let (weighting, columns) = try timed(.vocabulary) { try vocabulary(of: analysed, documentCount: articles.count) }
            return try timed(.weighting) {
                (weighting, try tfidfMatrix(analysed, columns: columns, weighting: weighting),
                 try headlineMatrix(analysed, columns: columns, weighting: weighting))
            }
        }()
        let articleCount = articles.count
        articles = []  // texts and analysis are no longer needed: their memory goes before the SVD's

        var dimensions = parameters.dimensions
        let limit = min(matrix.rows, matrix.columns) - 1
        if dimensions > limit {
            let message = "dimensions \(dimensions) must be below the number of articles (\(matrix.rows)) and of terms (\(matrix.columns))"
            guard lowerDimensionsToFit, limit >= 1 else {
                throw EngineError.invalidParameter("\(message); lower --dimensions or add articles")
            }
            notices.append("\(message); using \(limit) for this corpus")
            dimensions = limit
        }
        var usedParameters = parameters
        usedParameters.dimensions = dimensions

        let svd = RandomizedSVD(
            rank: dimensions, oversampling: parameters.oversampling, powerIterations: parameters.powerIterations,
            seed: parameters.seed)
        var factors = try timed(.svd) {
            try svd.decompose(matrix) { progress(BuildProgress(stage: .svd, fraction: $0)) }
        }

        // U·Σ in U's own memory: taken out of the factors first, so the array is not copied.
        var vectors = factors.u
        factors.u = DenseMatrix(rows: 0, columns: 0)
        let empty = timed(.vectors) { () -> Int in
            for i in 0..<vectors.rows {
                for j in 0..<dimensions { vectors.storage[i * dimensions + j] *= factors.singularValues[j] }
            }
            return vectors.normalizeRows()
        }
        if empty > 0 {
            notices.append("\(empty) article(s) kept no term after document-frequency pruning and will get no related list")
        }

        let energy = factors.singularValues.reduce(0.0) { $0 + Double($1) * Double($1) }
        let total = matrix.values.reduce(0.0) { $0 + Double($1) * Double($1) }
        var manifest = Manifest(
            formatVersion: ModelFile.formatVersion,
            createdAt: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)),
            corpusDigest: corpusDigest, articles: articleCount, articlesWithoutTerms: empty,
            terms: weighting.vocabulary.count, dimensions: dimensions, parameters: usedParameters,
            explainedVariance: total > 0 ? energy / total : 0,
            leadingSingularValues: Array(factors.singularValues.prefix(10)), blas: BLASBackend.current.summary,
            stageSeconds: seconds, kindredVersion: KindredVersion.current, journalSequence: journalSequence)
        var model = try Model(
            manifest: manifest, weighting: weighting, termVectors: factors.v, singularValues: factors.singularValues,
            articleVectors: vectors, tfidfRows: matrix, headlineRows: headlines, articles: metadata,
            keepingIndexCodes: parameters.neighbors > 0)
        let width = min(parameters.neighbors, articleCount - 1)
        if width > 0 {
            // With the hub cap on, lists are computed `HubnessReport.depth` deeper than they are
            // kept: the cap takes hubs out of lists, and the entries below move up into the gaps.
            let computed = parameters.hubCap > 0 ? min(width + HubnessReport.depth, articleCount - 1) : width
            var lists = try timed(.neighbors) { try Self.neighborLists(of: model, width: computed, progress: progress) }
            let ids = metadata.map(\.id)
            var report = HubnessReport(
                measured: HubnessStatistics(lists: lists, depth: HubnessReport.depth, ids: ids), cap: nil,
                cappedArticles: 0, afterCap: nil)
            if parameters.hubCap > 0 {
                let capped = lists.cappingHubs(at: parameters.hubCap, depth: HubnessReport.depth, rows: ids.count)
                let refill = try Self.refillingShortLists(capped.lists, of: model, withoutCapped: capped.capped, width: width)
                lists = refill.lists
                if refill.refilled > 0 {
                    notices.append(
                        "hub cap: \(refill.refilled) list(s) left with fewer than \(min(HubnessReport.depth, width)) entries were refilled by a search without the capped articles")
                }
                report.cap = parameters.hubCap
                report.cappedArticles = capped.capped.count
                report.afterCap = HubnessStatistics(lists: lists, depth: HubnessReport.depth, ids: ids)
            }
            manifest.hubness = report
            manifest.stageSeconds = seconds
            model = try model.replacing(manifest: manifest, neighborLists: lists)
        }
        return Outcome(model: model, notices: notices)
    }

    /// The best `width` related articles of every article (`Model.rankAll`), padded with −1.
    static func neighborLists(of model: Model, width: Int, progress: (BuildProgress) -> Void) throws -> NeighborLists {
        let n = model.articles.count
        var indices = [Int32](repeating: -1, count: n * width)
        var scores = [Float](repeating: 0, count: n * width)
        try model.rankAll(k: width, progress: { progress(BuildProgress(stage: .neighbors, fraction: $0)) }) { row, ranked in
            for (slot, entry) in ranked.enumerated() {
                indices[row * width + slot] = Int32(entry.index)
                scores[row * width + slot] = entry.score
            }
        }
        return NeighborLists(width: width, indices: indices, scores: scores)
    }

    /// The capped lists cut to `width`, each list the cap left shorter than the request default
    /// (`HubnessReport.depth`, or `width` when smaller) topped up by a search that skips the
    /// capped articles. Without it, a by-id request on such a list would fall back to the full
    /// search at every call, which costs most at the largest archives (about 10 ms at a million
    /// articles, for 0.4 % of 30-deep lists there) and brings the capped hubs back.
    ///
    /// - Returns: the lists and how many were refilled.
    static func refillingShortLists(
        _ lists: NeighborLists, of model: Model, withoutCapped capped: Set<Int32>, width: Int
    ) throws -> (lists: NeighborLists, refilled: Int) {
        let n = model.articles.count
        let wanted = min(HubnessReport.depth, width)
        let short = (0..<n).filter { lists.count(of: $0) < wanted && !model.index.isEmptyRow[$0] }
        let refills = try Parallel.map(short.count) { i in
            let row = short[i], kept = lists.list(of: row)
            let have = Set(kept.map(\.index))
            guard let query = model.queryVector(row: row) else { return kept }
            let more = try model.rank(query, k: width) { $0 == row || have.contains($0) || capped.contains(Int32($0)) }
            return (kept + more).sorted { ($0.score, $1.index) > ($1.score, $0.index) }
        }
        let refilled = Dictionary(uniqueKeysWithValues: zip(short, refills))
        return (
            lists.rebuilt(width: width, rows: n) { refilled[$0] ?? lists.list(of: $0) },
            zip(short, refills).filter { $1.count > lists.count(of: $0) }.count
        )
    }

    /// SHA-256 over the articles' fields in order, each field followed by a 0 byte.
    public static func digest(of articles: [Article]) -> String {
        var hasher = SHA256()
        let separator: [UInt8] = [0]
        func add(_ text: String?) {
            var text = text ?? ""
            // The string's own UTF-8 bytes, not a copy into `Data` (a copy per field was most of
            // the cost: eight allocations an article).
            text.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
            separator.withUnsafeBytes { hasher.update(bufferPointer: $0) }
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
