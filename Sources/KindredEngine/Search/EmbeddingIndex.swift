import CKindredKernels
import KindredLinearAlgebra

/// Exact cosine search over unit-length article vectors.
///
/// Vectors are rows of an `(articles × dimensions)` matrix, each of unit length or all zero
/// (an article none of whose terms survived pruning): the dot product is the cosine.
///
/// Search is two-stage when the index is large. The candidate stage scores every row with int8
/// codes of the vectors (`QuantizedRows`, multiplied by `Int8Product` on the engine chosen for
/// the CPU: oneDNN on VNNI or AMX, Kindred's AVX2 or baseline kernel elsewhere; a quarter of the
/// memory traffic of `Float`, and on VNNI several times the speed of `sgemm`) and keeps the best
/// `candidateCount(k)`; the second stage rescores those in `Float` and keeps the best `k`. Scores
/// returned are always the exact `Float` cosines. The int8 scores are within about 10⁻³ of the
/// exact ones, so a true top-`k` row is missed only when it ties within that margin with rows
/// ranked beyond `candidateCount(k)`; `docs/performance.md` has the measured agreement with the
/// all-`Float` search. Indexes of at most `candidateCount(k)` rows, and any index whose int8
/// product could not be set up, are searched with BLAS in `Float` alone.
public struct EmbeddingIndex: Sendable {
    public let vectors: DenseMatrix
    /// Rows that are all zero (or hold a non-finite value): never results, never queries.
    public let isEmptyRow: [Bool]
    /// The int8 scale of each row of `vectors` (`QuantizedRows`). The codes themselves live in
    /// the product's reordered blocks; the all-pairs search, which also needs them as queries,
    /// quantises the vectors again (the same codes) rather than every model holding a second copy:
    /// 16 MB for Debian, 256 MB at a million articles. An index that searches approximately holds
    /// no int8 codes (its lists hold int4 ones) and derives these scales from theirs.
    public let scales: [Float]
    /// The candidate stage's product, or nil when it could not be set up (then every search is
    /// the `Float` one; `candidateStage` says so).
    let product: Int8Product?
    /// What the candidate stage runs on and why, or why it is not used.
    public private(set) var candidateStage: String

    /// The int8 codes, kept only when asked (`keepingCodes`): for a build's all-pairs search.
    private(set) var codes: [Int8]?

    /// The approximate index's partition, when the model has one (every model built since format 7).
    public private(set) var approximateIndex: InvertedFileIndex?
    /// The partition's lists with their codes, when this index searches approximately; then
    /// `product` is nil and an exact search scans every list.
    let lists: InvertedLists?
    /// Lists a query probes (`SearchSettings.probes`, else the build's calibrated number).
    public let probes: Int
    /// The rows in article order that the approximate index's graph is walked over, when this
    /// index searches through it (`InvertedFileIndex.searchesGraph`): codes with their scales
    /// inline, 128 MB at a million articles of 256 dimensions, beside the lists' 128 MB.
    let graphCodes: ScaledCodeRows?
    /// The beam a graph search keeps (`SearchSettings.beam`, else the build's calibrated one).
    public let beam: Int

    /// Whether searches go through the approximate index unless asked to be exact.
    public var searchesApproximately: Bool { lists != nil }
    /// Whether they go through its graph first (the lists then answer narrow filters).
    public var searchesGraph: Bool { graphCodes != nil }

    /// This index without its int8 codes (the product and everything else shared).
    func droppingCodes() -> EmbeddingIndex {
        var index = self
        if product == nil, codes != nil { index.candidateStage = "Float BLAS only (no int8 product asked for)" }
        index.codes = nil
        return index
    }

    /// - Parameters:
    ///   - keepingCodes: keep the int8 codes for `allNeighbors`, which otherwise quantises the
    ///     vectors again (a build keeps them: it runs the search at once; a served model does not).
    ///   - engine: the int8 product's engine; nil for the one chosen for this CPU
    ///     (`Int8Product.automatic`). Tests name each engine the machine runs.
    ///   - approximateIndex: the model's partition into lists, if it has one.
    ///   - search: whether to search through it (then the codes are laid out list by list, and no
    ///     int8 product is made) and how many lists to probe.
    ///   - withProduct: false makes no int8 product: an index kept with its codes then searches
    ///     by scanning them (`codeScan`). A build that computes no related lists searches only a
    ///     few hundred times, for its calibration, and the product's reordered copy of the codes
    ///     (768 MB at 3 million articles) would be most of the index stage's peak.
    public init(
        vectors: DenseMatrix, keepingCodes: Bool = false, engine: Int8Engine? = nil,
        approximateIndex: InvertedFileIndex? = nil, search: SearchSettings = SearchSettings(), withProduct: Bool = true
    ) {
        self.vectors = vectors
        self.approximateIndex = approximateIndex
        let d = vectors.columns
        if let approximateIndex, !keepingCodes,
            search.usesApproximateIndex(articles: vectors.rows, index: approximateIndex)
        {
            let lists = InvertedLists(approximateIndex, vectors: vectors)
            self.lists = lists
            self.probes = min(approximateIndex.lists, max(1, search.probes ?? approximateIndex.probes))
            self.codes = nil
            var stage = "approximate: \(approximateIndex.lists) lists, \(probes) probed, int4 \(Int4Rows.kernel)"
            if let graph = approximateIndex.graph, approximateIndex.searchesGraph {
                let walked = vectors.storage.withUnsafeBufferPointer { v in
                    ScaledCodeRows(rows: vectors.rows, columns: d) { v.baseAddress! + $0 * d }
                }
                graphCodes = walked
                beam = min(NeighborGraph.widestBeam, max(1, search.beam ?? graph.beam))
                stage += "; graph of degree \(graph.degree), beam \(beam), int\(walked.bits) \(NeighborGraph.kernel)"
            } else {
                (graphCodes, beam) = (nil, approximateIndex.graph?.beam ?? 0)
            }
            // The int8 scale is max|x| / 127, the int4 one max|x| / 7.
            var scales = [Float](repeating: 0, count: vectors.rows)
            for (position, row) in approximateIndex.rows.enumerated() {
                scales[Int(row)] = lists.codes.scales[position] * 7 / 127
            }
            self.scales = scales
            self.isEmptyRow = scales.map { $0 == 0 }
            product = nil
            candidateStage = stage
            return
        }
        self.lists = nil
        self.graphCodes = nil
        self.beam = approximateIndex?.graph?.beam ?? 0
        self.probes = approximateIndex?.probes ?? 0
        let quantized = QuantizedRows(vectors)
        self.scales = quantized.scales
        self.codes = keepingCodes ? quantized.codes : nil
        // Quantising already scanned every row: scale 0 means all zeros (or a non-finite value,
        // which can't be ranked either and which a model's invariants refuse).
        self.isEmptyRow = quantized.scales.map { $0 == 0 }
        if vectors.rows == 0 || d == 0 {
            product = nil
            candidateStage = "none (empty index)"
            return
        }
        guard withProduct else {
            product = nil
            candidateStage =
                keepingCodes ? "int8 scan of the codes (no product)" : "Float BLAS only (no int8 product asked for)"
            return
        }
        do {
            let made = try Int8Product(
                codes: quantized.codes, rows: vectors.rows, columns: d, blockWidth: Self.blockRows, engine: engine)
            (product, candidateStage) = (made, "int8 \(made.implementation) (\(made.reason)), scan \(ScoreScan.kernel)")
        } catch {
            (product, candidateStage) = (nil, "Float BLAS only (the int8 product failed: \(error))")
        }
    }

    /// Rows per column block of the int8 product, and per tile of the all-pairs search, which
    /// then multiplies by the same reordered blocks instead of a second copy of the codes. 4,096
    /// rows: a tile product's output (128 × 4,096 floats) stays in a core's L2 cache; a single
    /// query makes one product call per block (16 for Debian).
    public static let blockRows = 4_096

    public var count: Int { vectors.rows }
    public var dimensions: Int { vectors.columns }

    /// How many int8 candidates are rescored in `Float` for a top `k`: `k` plus a margin of at
    /// least 32, so that rows whose int8 score falls just below the cut are still compared exactly.
    /// Measured on Debian's top-10 lists against a margin of 5,000 (docs/performance.md): margin
    /// 64 agrees on 99.997 % of entries, 32 on 99.98 %, 16 on 99.9 % (ties at the cut counted);
    /// 32 takes 17 % less time than 64 over every article.
    public static func candidateCount(_ k: Int) -> Int { k + max(k, 32) }

    /// Whether a search for `k` rows takes a candidate stage: the int8 product's, or the
    /// approximate index's int4 scan, which keeps more candidates.
    func usesCandidateStage(k: Int) -> Bool {
        if lists != nil { return count > InvertedLists.candidateCount(k) }
        return (product != nil || codes != nil) && count > Self.candidateCount(k)
    }

    /// This index with an approximate index's partition attached (searches unchanged).
    func attaching(_ approximateIndex: InvertedFileIndex) -> EmbeddingIndex {
        var index = self
        index.approximateIndex = approximateIndex
        return index
    }

    /// The `k` rows most similar to a unit-length `query`, best first, skipping excluded rows.
    ///
    /// - Parameters:
    ///   - exact: score every row even when this index searches approximately.
    ///   - probes: lists to probe instead of `probes` (for measuring recall against them): the
    ///     search goes through the lists, not the graph.
    ///   - beam: the graph search's beam instead of `beam`.
    ///   - heldOut: a row a graph search does not pass through (`NeighborGraph.search`): an
    ///     article searched as a draft of its text would be, for measuring recall.
    ///   - rows: every row `excluding` admits is among these (a filter's rows,
    ///     `Model.rows(section:languageCode:since:until:)`): when they are few, only they are
    ///     scored (`scoresRowsAlone`), exactly.
    /// - Complexity: O(n·d) for the product plus O(n + k log k) selection; approximately, the
    ///   rows the graph search scores (a few thousand), or the probed lists' rows when the graph
    ///   can't answer; O(|rows|·d) when the rows are scored alone.
    public func search(
        _ query: [Float], k: Int, exact: Bool = false, probes: Int? = nil, beam: Int? = nil, heldOut: Int? = nil,
        amongRows rows: ArraySlice<Int32>? = nil, excluding: (Int) -> Bool = { _ in false }
    ) throws -> [ScoredIndex] {
        if let rows, probes == nil, scoresRowsAlone(rows.count, k: k, exact: exact) {
            return search(query, k: k, amongRows: rows, excluding: excluding)
        }
        if let lists, usesCandidateStage(k: k) {
            if !exact, probes == nil, let graph = approximateIndex?.graph, let graphCodes,
                let found = searchGraph(
                    query, k: k, graph: graph, rows: graphCodes,
                    beam: filteredBeam(rows?.count, k: k, beam: beam ?? self.beam), heldOut: heldOut,
                    excluding: excluding)
            {
                return found
            }
            // The beam held too few admitted rows: the filter's own rows, when they are known and
            // fewer than the lists would read for so narrow a filter.
            if let rows, probes == nil, !exact, rows.count * 4 <= count {
                return search(query, k: k, amongRows: rows, excluding: excluding)
            }
            return search(
                query, k: k, through: lists, probes: exact ? lists.index.lists : probes ?? self.probes,
                excluding: excluding)
        }
        guard usesCandidateStage(k: k) else { return try floatSearch(query, k: k, excluding: excluding) }
        guard let product else { return codeScan(query, k: k, excluding: excluding) }
        let codes = QuantizedRows.quantize(query).codes
        var candidates = CandidateBuffer(k: Self.candidateCount(k))
        var dots = [Float](repeating: 0, count: product.blockWidth)
        let isEmptyRow = self.isEmptyRow
        try codes.withUnsafeBufferPointer { q in
            try dots.withUnsafeMutableBufferPointer { out in
                try self.scales.withUnsafeBufferPointer { scales in
                    try product.multiplyEachBlock(queries: q.baseAddress!, count: 1, into: out.baseAddress!, threads: 1)
                    { block in
                        let range = product.blockRange(block)
                        Self.select(
                            dots: out.baseAddress!, scales: scales.baseAddress! + range.lowerBound, count: range.count,
                            offset: range.lowerBound, into: &candidates
                        ) { !isEmptyRow[$0] && !excluding($0) }
                    }
                }
            }
        }
        return query.withUnsafeBufferPointer { q in rescore(candidates.best(), query: q.baseAddress!, k: k) }
    }

    /// The two stages with the kept int8 codes scanned in article order instead of multiplied by
    /// the product (an index made `withProduct: false`): the same candidates and rescoring.
    func codeScan(_ query: [Float], k: Int, excluding: (Int) -> Bool) -> [ScoredIndex] {
        guard let codes else { preconditionFailure("a code scan needs the index's codes") }
        let queryCodes = QuantizedRows.quantize(query).codes, d = dimensions, isEmptyRow = self.isEmptyRow
        var candidates = CandidateBuffer(k: Self.candidateCount(k))
        var dots = [Float](repeating: 0, count: Self.blockRows)
        codes.withUnsafeBufferPointer { c in
            scales.withUnsafeBufferPointer { s in
                for start in stride(from: 0, to: count, by: Self.blockRows) {
                    let rows = min(Self.blockRows, count - start)
                    kindred_int8_dots(queryCodes, 1, c.baseAddress! + start * d, rows, d, &dots)
                    Self.select(
                        dots: dots, scales: s.baseAddress! + start, count: rows, offset: start, into: &candidates
                    ) { !isEmptyRow[$0] && !excluding($0) }
                }
            }
        }
        return query.withUnsafeBufferPointer { rescore(candidates.best(), query: $0.baseAddress!, k: k) }
    }

    /// The two stages through `lists`: int4 candidates from the `probes` nearest lists, then the
    /// best `k` of them by exact cosine.
    func search(
        _ query: [Float], k: Int, through lists: InvertedLists, probes: Int, excluding: (Int) -> Bool
    ) -> [ScoredIndex] {
        let isEmptyRow = self.isEmptyRow
        let candidates = lists.candidates(
            queryCodes: QuantizedRows.quantize(query).codes, count: InvertedLists.candidateCount(k), probes: probes
        ) { !isEmptyRow[$0] && !excluding($0) }
        return query.withUnsafeBufferPointer { q in rescore(candidates, query: q.baseAddress!, k: k) }
    }

    /// The best `k` by exact cosine of the best rows by the walk's score a graph search keeps in its
    /// beam, or nil when fewer than `k` of them are admitted: a filter that leaves few articles, which
    /// the rows of the filter or the lists answer instead. `heldOut`: a row the walk does not pass
    /// through (`NeighborGraph.search`).
    func searchGraph(
        _ query: [Float], k: Int, graph: NeighborGraph, rows: ScaledCodeRows, beam: Int, heldOut: Int? = nil,
        excluding: (Int) -> Bool
    ) -> [ScoredIndex]? {
        let found = graph.search(
            query: rows.query(QuantizedRows.quantize(query).codes), rows: rows, beam: max(beam, k), heldOut: heldOut)
        let isEmptyRow = self.isEmptyRow
        let admitted = found.map(\.index).filter { !isEmptyRow[$0] && !excluding($0) }
        guard admitted.count >= k else { return nil }
        // The beam is best first by the walk's score, with 4 bits as coarse as the lists' scan: the
        // same margin of candidates is rescored (a sixth of the calibrated beam at a million).
        let candidates = admitted.prefix(InvertedLists.candidateCount(k))
        return query.withUnsafeBufferPointer { rescore(Array(candidates), query: $0.baseAddress!, k: k) }
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

    /// `allNeighbors` in `Float` alone: one `sgemm` of a block against all vectors, then top-k of
    /// each row of the block in parallel. Memory is `blockSize × n` floats besides the index. The
    /// reference the two-stage search is measured against.
    public func floatAllNeighbors(
        k: Int, blockSize: Int = 256, refine: ((Int, [ScoredIndex]) -> [ScoredIndex])? = nil,
        handle: (Int, [ScoredIndex]) throws -> Void
    ) throws {
        let n = count, d = dimensions
        guard n > 0 else { return }
        let block = max(1, min(blockSize, n))
        var scores = [Float](repeating: 0, count: block * n)
        var results = [[ScoredIndex]](repeating: [], count: block)
        let isEmptyRow = self.isEmptyRow
        for start in stride(from: 0, to: n, by: block) {
            let rows = min(block, n - start)
            vectors.storage.withUnsafeBufferPointer { v in
                scores.withUnsafeMutableBufferPointer { s in
                    BLAS.gemm(
                        transposeA: false, transposeB: true, m: rows, n: n, k: d,
                        a: v.baseAddress! + start * d, lda: d, b: v.baseAddress!, ldb: d, c: s.baseAddress!, ldc: n)
                }
            }
            scores.withUnsafeBufferPointer { s in
                results.withUnsafeMutableBufferPointer { out in
                    Parallel.forEachChunk(of: rows) { range in
                        for r in range {
                            let row = start + r
                            let neighbors =
                                isEmptyRow[row]
                                ? []
                                : Self.best(k, of: s.baseAddress! + r * n, count: n) { $0 != row && !isEmptyRow[$0] }
                            out[r] = refine?(row, neighbors) ?? neighbors
                        }
                    }
                }
            }
            for r in 0..<rows { try handle(start + r, results[r]) }
        }
    }

    /// Offers rows `offset..<offset + count` to `candidates` by `dots[j] · scales[j]`, sixteen at a
    /// time: a group none of whose scores beats the threshold (nearly all of them, once the buffer
    /// has filled) costs four vector multiplies and compares.
    @inline(__always)
    static func select(
        dots: UnsafePointer<Float>, scales: UnsafePointer<Float>, count: Int, offset: Int,
        into candidates: inout CandidateBuffer, admits: (Int) -> Bool
    ) {
        // SIMD4 maps onto one SSE register on every x86-64; wider Swift SIMD types spill here.
        @inline(__always) func load(_ base: UnsafePointer<Float>, _ at: Int) -> SIMD4<Float> {
            UnsafeRawPointer(base + at).loadUnaligned(as: SIMD4<Float>.self)
        }
        var j = 0
        while j + 16 <= count {
            let limit = SIMD4<Float>(repeating: candidates.threshold)
            let a = load(dots, j) * load(scales, j), b = load(dots, j + 4) * load(scales, j + 4)
            let c = load(dots, j + 8) * load(scales, j + 8), d = load(dots, j + 12) * load(scales, j + 12)
            if any((a .> limit) .| (b .> limit) .| (c .> limit) .| (d .> limit)) {
                // Early in a row the threshold is low and most groups have a lane above it: look
                // only at the quarters that do.
                @inline(__always) func offer(_ scores: SIMD4<Float>, from first: Int) {
                    guard any(scores .> SIMD4(repeating: candidates.threshold)) else { return }
                    for lane in 0..<4 where scores[lane] > candidates.threshold && admits(offset + first + lane) {
                        candidates.offer(index: offset + first + lane, score: scores[lane])
                    }
                }
                offer(a, from: j)
                offer(b, from: j + 4)
                offer(c, from: j + 8)
                offer(d, from: j + 12)
            }
            j += 16
        }
        while j < count {
            let score = dots[j] * scales[j]
            if score > candidates.threshold && admits(offset + j) { candidates.offer(index: offset + j, score: score) }
            j += 1
        }
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
