import CKindredKernels
import KindredLinearAlgebra

/// Cosine search over a set of unit-length vectors: LSA's article vectors, or a sentence
/// encoder's (`SemanticVectors`).
///
/// Vectors are rows of an `(articles × dimensions)` matrix, each of unit length or all zero
/// (an article none of whose terms survived pruning): the dot product is the cosine.
///
/// A search has two stages. A candidate stage (`CandidateSearch`) keeps the rows nearest the
/// query by a coarse score: every row's int8 codes (`ExactScan`), or, when the index searches
/// approximately, the rows a walk of the graph reaches (`GraphWalk`) or those of the probed lists
/// (`ListScan`). The second stage rescores the candidates in `Float` and keeps the best `k`, so
/// scores returned are always the exact cosines. This type holds the strategies and chooses among
/// them for each search (`search`); indexes of at most a candidate stage's own count, and any
/// whose int8 product could not be set up, are searched with BLAS in `Float` alone.
public struct EmbeddingIndex: Sendable {
    public let vectors: DenseMatrix
    /// Rows that are all zero (or hold a non-finite value): never results, never queries.
    public let isEmptyRow: [Bool]
    /// The int8 scale of each row of `vectors` (`QuantizedRows`). An index that searches
    /// approximately holds no int8 codes (its lists hold int4 ones) and derives these from theirs.
    public let scales: [Float]
    /// The model's approximate index, when it has one (every model built since format 7), whether
    /// or not this index searches through it.
    public private(set) var approximateIndex: ApproximateIndex?
    /// The exact strategy; nil when this index searches approximately (then an exact search scans
    /// every list).
    private(set) var exact: ExactScan?
    /// The lists strategy, when this index searches approximately.
    let lists: ListScan?
    /// The graph strategy, when it searches approximately and the graph reached its target
    /// (`ApproximateIndex.searchesGraph`).
    let graph: GraphWalk?
    /// What the candidate stage runs on and why, or why it is not used.
    public var candidateStage: String {
        guard let lists else { return exact?.caption ?? "none" }
        return "approximate: " + ([lists.caption] + (graph.map { [$0.caption] } ?? [])).joined(separator: "; ")
    }

    /// Whether searches go through the approximate index unless asked to be exact.
    public var searchesApproximately: Bool { lists != nil }
    /// Whether they go through its graph first (the lists then answer narrow filters).
    public var searchesGraph: Bool { graph != nil }
    /// Lists a query probes (`SearchSettings.probes`, else the build's calibrated number).
    public var probes: Int { lists?.probes ?? approximateIndex?.probes.value ?? 0 }
    /// The beam a graph search keeps (`SearchSettings.beam`, else the build's calibrated one).
    public var beam: Int { graph?.beam ?? approximateIndex?.beam?.value ?? 0 }
    /// The exact strategy's int8 product (the all-pairs search multiplies by its blocks).
    var product: Int8Product? { exact?.product }
    /// The int8 codes in row order, kept only when asked (`keepingCodes`).
    var codes: [Int8]? { exact?.codes }

    /// - Parameters:
    ///   - keepingCodes: keep the int8 codes for `allNeighbors`, which otherwise quantises the
    ///     vectors again (a build keeps them: it runs the search at once; a served model does not).
    ///   - engine: the int8 product's engine; nil for the one chosen for this CPU
    ///     (`Int8Product.automatic`). Tests name each engine the machine runs.
    ///   - approximateIndex: the model's approximate index, if it has one.
    ///   - search: whether to search through it (then the codes are laid out list by list, and no
    ///     int8 product is made) and how many lists to probe, how wide a beam to walk.
    ///   - withProduct: false makes no int8 product: an index kept with its codes then searches
    ///     by scanning them. A build that computes no related lists searches only a few hundred
    ///     times, for its calibration, and the product's reordered copy of the codes would be most
    ///     of the index stage's peak.
    public init(
        vectors: DenseMatrix, keepingCodes: Bool = false, engine: Int8Engine? = nil,
        approximateIndex: ApproximateIndex? = nil, search: SearchSettings = SearchSettings(), withProduct: Bool = true
    ) {
        self.vectors = vectors
        self.approximateIndex = approximateIndex
        if let approximateIndex, !keepingCodes,
            search.usesApproximateIndex(articles: vectors.rows, index: approximateIndex)
        {
            let lists = ListScan(
                approximateIndex.lists, vectors: vectors, probes: search.probes ?? approximateIndex.probes.value)
            var graph: GraphWalk?
            if let links = approximateIndex.graph, let beam = approximateIndex.beam, approximateIndex.searchesGraph {
                graph = GraphWalk(graph: links, vectors: vectors, beam: search.beam ?? beam.value)
            }
            // The int8 scale is max|x| / 127, the int4 one max|x| / 7.
            var scales = [Float](repeating: 0, count: vectors.rows)
            for (position, row) in approximateIndex.lists.rows.enumerated() {
                scales[Int(row)] = lists.codes.scales[position] * 7 / 127
            }
            (self.scales, self.isEmptyRow) = (scales, scales.map { $0 == 0 })
            (self.lists, self.graph, self.exact) = (lists, graph, nil)
            return
        }
        (self.lists, self.graph) = (nil, nil)
        let exact = Self.exactScan(of: vectors, keepingCodes: keepingCodes, engine: engine, withProduct: withProduct)
        // Quantising already scanned every row: scale 0 means all zeros (or a non-finite value,
        // which can't be ranked either and which a model's invariants refuse).
        (self.exact, self.scales, self.isEmptyRow) = (exact, exact.scales, exact.scales.map { $0 == 0 })
    }

    /// The exact strategy over `vectors`: their int8 codes, multiplied by a product unless
    /// `withProduct` is false, kept in row order when `keepingCodes`.
    private static func exactScan(
        of vectors: DenseMatrix, keepingCodes: Bool, engine: Int8Engine?, withProduct: Bool
    ) -> ExactScan {
        let (n, d) = (vectors.rows, vectors.columns)
        let quantized = QuantizedRows(vectors)
        func scan(_ product: Int8Product?, _ caption: String) -> ExactScan {
            ExactScan(
                rows: n, dimensions: d, scales: quantized.scales, product: product,
                codes: keepingCodes ? quantized.codes : nil, caption: caption)
        }
        if n == 0 || d == 0 { return scan(nil, "none (empty index)") }
        guard withProduct else {
            return scan(
                nil,
                keepingCodes ? "int8 scan of the codes (no product)" : "Float BLAS only (no int8 product asked for)")
        }
        do {
            let made = try Int8Product(
                codes: quantized.codes, rows: n, columns: d, blockWidth: blockRows, engine: engine)
            return scan(made, "int8 \(made.implementation) (\(made.reason)), scan \(ScoreScan.kernel)")
        } catch {
            return scan(nil, "Float BLAS only (the int8 product failed: \(error))")
        }
    }

    /// This index without its int8 codes in row order (the product and everything else shared).
    func droppingCodes() -> EmbeddingIndex {
        var index = self
        index.exact = exact?.droppingCodes()
        return index
    }

    /// This index with an approximate index attached (searches unchanged).
    func attaching(_ approximateIndex: ApproximateIndex) -> EmbeddingIndex {
        var index = self
        index.approximateIndex = approximateIndex
        return index
    }

    /// Rows per column block of the int8 product, and per tile of the all-pairs search, which
    /// then multiplies by the same reordered blocks instead of a second copy of the codes. 4,096
    /// rows: a tile product's output (128 × 4,096 floats) stays in a core's L2 cache.
    public static let blockRows = 4_096

    public var count: Int { vectors.rows }
    public var dimensions: Int { vectors.columns }

    /// Whether a search for `k` rows takes a candidate stage: the approximate index's, which keeps
    /// more candidates, or the exact scan's.
    func usesCandidateStage(k: Int) -> Bool {
        if let lists { return count > lists.candidateCount(k) }
        guard let exact, exact.scores else { return false }
        return count > exact.candidateCount(k)
    }

    /// The `k` rows most similar to a unit-length `query`, best first, skipping excluded rows.
    ///
    /// The strategy, in order: a filter's own rows when they are few (`scoresRowsAlone`); then,
    /// searching approximately, the graph's walk, the filter's rows when the walk held too few
    /// admitted ones, else the lists; otherwise the exact scan.
    ///
    /// - Parameters:
    ///   - exact: score every row even when this index searches approximately.
    ///   - probes: lists to probe instead of `probes` (for measuring recall against them): the
    ///     search goes through the lists, not the graph.
    ///   - beam: the graph search's beam instead of `beam`.
    ///   - heldOut: a row a graph search does not pass through (`SearchQuery.heldOut`).
    ///   - rows: every row `excluding` admits is among these (a filter's rows,
    ///     `Model.rows(section:languageCode:since:until:)`): when they are few, only they are
    ///     scored, exactly.
    /// - Complexity: O(n·d) for the exact scan plus O(n + k log k) selection; approximately, the
    ///   rows the walk scores (a few thousand), or the probed lists' rows when it can't answer;
    ///   O(|rows|·d) when the rows are scored alone.
    public func search(
        _ query: [Float], k: Int, exact: Bool = false, probes: Int? = nil, beam: Int? = nil, heldOut: Int? = nil,
        amongRows rows: ArraySlice<Int32>? = nil, excluding: (Int) -> Bool = { _ in false }
    ) throws -> [ScoredIndex] {
        let isEmptyRow = self.isEmptyRow
        let admits = { (row: Int) in !isEmptyRow[row] && !excluding(row) }
        let asked = SearchQuery(query, heldOut: heldOut)
        if let rows, probes == nil, scoresRowsAlone(rows.count, k: k, exact: exact) {
            return search(asked, k: k, amongRows: rows, admits: admits)
        }
        guard usesCandidateStage(k: k) else { return try floatSearch(query, k: k, excluding: excluding) }
        guard let lists else {
            let found = try self.exact?.candidates(for: asked, k: k, admits: admits) ?? []
            return rescore(found, query: asked, k: k)
        }
        if !exact, probes == nil, let graph {
            let walk = beam.map { graph.walking(beam: $0) } ?? graph
            let widened = walk.walking(beam: walk.beam(forFiltered: rows?.count, of: count, k: k))
            if let found = widened.candidates(for: asked, k: k, admits: admits) {
                return rescore(found, query: asked, k: k)
            }
            // The beam held too few admitted rows: the filter's own rows, when they are known and
            // fewer than the lists would read for so narrow a filter.
            if let rows, rows.count * 4 <= count { return search(asked, k: k, amongRows: rows, admits: admits) }
        }
        let scan = lists.probing(exact ? lists.index.lists : probes ?? lists.probes)
        return rescore(scan.candidates(for: asked, k: k, admits: admits) ?? [], query: asked, k: k)
    }

    /// The search without the candidate stage: one BLAS `sgemv` and a bounded heap. The reference
    /// the two-stage search is measured against.
    public func floatSearch(_ query: [Float], k: Int, excluding: (Int) -> Bool) throws -> [ScoredIndex] {
        let scores = try BLAS.multiply(vectors, query)
        return scores.withUnsafeBufferPointer { s in
            Self.best(k, of: s.baseAddress!, count: s.count) { !isEmptyRow[$0] && !excluding($0) }
        }
    }

    /// The `k` best of `count` exact scores whose row `admits`, best first.
    static func best(_ k: Int, of scores: UnsafePointer<Float>, count: Int, admits: (Int) -> Bool) -> [ScoredIndex] {
        var top = TopK(k: k)
        // The threshold only changes when a candidate enters: keep it in a register instead of
        // asking the heap for every score.
        var threshold = -Float.infinity
        for j in 0..<count where scores[j] > threshold && admits(j) {
            top.offer(index: j, score: scores[j])
            threshold = top.threshold
        }
        return top.sorted()
    }

    /// The best `k` of `candidates` by exact `Float` cosine with `query`.
    func rescore(_ candidates: [Int], query: SearchQuery, k: Int) -> [ScoredIndex] {
        query.vector.withUnsafeBufferPointer { rescore(candidates, query: $0.baseAddress!, k: k) }
    }

    /// The best `k` of `candidates` by exact `Float` cosine with `query`.
    func rescore(_ candidates: [Int], query: UnsafePointer<Float>, k: Int) -> [ScoredIndex] {
        let d = dimensions
        var top = TopK(k: k)
        // Candidates lie anywhere in the vectors (a kilobyte each at 256 dimensions): the rows a
        // few places ahead are requested while one is scored.
        let ahead = 4
        vectors.storage.withUnsafeBufferPointer { v in
            for (i, candidate) in candidates.enumerated() {
                if i + ahead < candidates.count {
                    kindred_prefetch(v.baseAddress! + candidates[i + ahead] * d, d * MemoryLayout<Float>.size)
                }
                top.offer(index: candidate, score: Vector.dot(query, v.baseAddress! + candidate * d, count: d))
            }
        }
        return top.sorted()
    }
}
