import KindredLinearAlgebra
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// How `EmbeddingIndex.allNeighbors` runs its candidate stage.
public enum AllPairsMethod: Sendable, Equatable {
    /// Each pair once when the candidate table fits `symmetricMemoryBudget`, else slices.
    case automatic
    /// `symmetricAllNeighbors`.
    case eachPairOnce
    /// `slicedAllNeighbors`.
    case slices
    /// Each row's candidates are the given table's (`NeighborDescent`): no pair is scored but
    /// those, each in `Float`.
    case given(NearestTable)
}

extension EmbeddingIndex {
    /// The most memory the all-pairs search's `CandidateTable` may take before the search falls
    /// back to scoring every pair twice, a slice of rows at a time. 2³⁰ bytes: a million articles
    /// with 40-deep lists fit and the build stays under its memory target; a million with
    /// 110-deep lists would not (docs/performance.md, *Memory*).
    public static let symmetricMemoryBudget = 1 << 30

    /// The most scores scanned per call in the symmetric search: small enough that a row's
    /// threshold rises within a tile (the first tile a row meets, with its threshold at −∞, would
    /// otherwise offer all its 4,096 scores), large enough that the call costs nothing.
    static let scanSegment = 512

    /// For every row, its `k` nearest other rows, best first; `handle(row, neighbors)` is called
    /// in row order.
    ///
    /// Two stages, like `search`: int8 candidates for every row, then exact `Float` rescoring of
    /// each row's `candidateCount(k)` best. The candidate stage scores each pair of rows once
    /// (`symmetricAllNeighbors`) when every row's candidates fit `symmetricMemoryBudget`, and
    /// otherwise a slice of rows at a time against all rows (`slicedAllNeighbors`).
    ///
    /// `refine(row, neighbors)`, when given, runs on the worker threads and its result is what
    /// `handle` receives: per-row work such as re-ranking then uses every core too. `progress`
    /// gets the fraction done, from the calling thread or a worker, never two calls at once.
    ///
    /// - Parameters:
    ///   - slice: rows multiplied per int8 product call.
    ///   - tile: rows per tile of the symmetric search (see there).
    ///   - method: `.automatic` chooses by `symmetricMemoryBudget`; benchmarks and tests force one.
    /// - Complexity: O(n²·d) int8 multiply-adds, O(n²) comparisons in selection, O(n·c·d) flops
    ///   rescoring `c = candidateCount(k)` candidates per row.
    public func allNeighbors(
        k: Int, slice: Int = 128, tile: Int = EmbeddingIndex.blockRows, method: AllPairsMethod = .automatic,
        refine: ((Int, [ScoredIndex]) -> [ScoredIndex])? = nil,
        progress: (Double) -> Void = { _ in }, handle: (Int, [ScoredIndex]) throws -> Void
    ) throws {
        if case .given(let table) = method {
            return try finishAll(k: k, refine: refine, handle: handle, progress: progress) { table.nearest(of: $0) }
        }
        guard usesCandidateStage(k: k), let product else {
            return try floatAllNeighbors(k: k, refine: refine, handle: handle)
        }
        let fits = CandidateTable.bytes(rows: count, k: ExactScan.candidateCount(k)) <= Self.symmetricMemoryBudget
        if method == .eachPairOnce || (method == .automatic && fits) {
            try symmetricAllNeighbors(
                k: k, slice: slice, tile: tile, refine: refine, progress: progress, handle: handle)
        } else {
            try slicedAllNeighbors(
                k: k, slice: slice, product: product, refine: refine, progress: progress, handle: handle)
        }
    }

    /// `allNeighbors` scoring each pair of rows once.
    ///
    /// The rows are cut into tiles of `tile` rows. A worker takes a pair of tiles `(A, B)`, `A`
    /// before `B`, and scores `A`'s rows against `B`'s once for both (`TileScan`): a score that
    /// beats either row's threshold becomes that row's candidate (`CandidateTable`). So `t(t+1)/2`
    /// of the `t²` tile products are computed: at Debian's 16 tiles, 53 %. Then every row's
    /// candidates are rescored (`finishAll`).
    ///
    /// Two workers must never hold the same tile (they would both write its rows' candidates):
    /// each takes the first pair, in a fixed order, whose two tiles no one holds. The order starts
    /// with every tile against itself, then neighbouring tiles, then farther ones: archives are
    /// stored roughly by date or by name, so the best candidates tend to be near and the
    /// thresholds rise early, which keeps later scans cheap.
    ///
    /// Memory besides the index: the candidate table (`CandidateTable.bytes`) and `slice × tile`
    /// floats per core (and a second copy of the int8 codes when `tile` is not the index's
    /// `blockRows`).
    func symmetricAllNeighbors(
        k: Int, slice: Int, tile: Int, refine: ((Int, [ScoredIndex]) -> [ScoredIndex])?,
        progress: (Double) -> Void, handle: (Int, [ScoredIndex]) throws -> Void
    ) throws {
        let n = count, d = dimensions
        let width = ExactScan.candidateCount(k)
        let codes = self.codes ?? QuantizedRows(vectors).codes
        // The index's own product when its blocks are the tiles (the default), else one for them.
        let tiles =
            try product.flatMap { $0.blockWidth == min(tile, n) ? $0 : nil }
            ?? Int8Product(codes: codes, rows: n, columns: d, blockWidth: max(1, min(tile, n)), engine: product?.engine)
        let slice = max(1, min(slice, n))
        let table = CandidateTable(rows: n, k: width)
        let isEmptyRow = self.isEmptyRow
        // Rows that can't be ranked never take a candidate.
        for row in 0..<n where isEmptyRow[row] { table.thresholds[row] = .infinity }

        let schedule = TilePairSchedule(tiles: tiles.blockCount) { tiles.blockRange($0).count }
        let workers = min(ProcessorCount.active, schedule.pairs.count)
        // The candidate stage is most of the work; rescoring and refining take the last tenth.
        let candidateShare = 0.9
        try codes.withUnsafeBufferPointer { codes in
            try scales.withUnsafeBufferPointer { scales in
                _ = try Parallel.map(workers) { _ in
                    let scan = TileScan(
                        tiles: tiles, codes: codes.baseAddress!, scales: scales.baseAddress!, dimensions: d,
                        slice: slice,
                        table: table, isEmptyRow: isEmptyRow)
                    while let pair = schedule.next() {
                        do {
                            try scan.scan(pair)
                        } catch {
                            schedule.abandon()
                            throw error
                        }
                        schedule.finish(pair) { progress(candidateShare * $0) }
                    }
                }
            }
        }
        try finishAll(k: k, refine: refine, handle: handle) { done in
            progress(candidateShare + (1 - candidateShare) * done)
        } candidates: {
            table.best(row: $0)
        }
    }

    /// Every row's list from its candidates (`finished`), a batch of rows at a time on all cores,
    /// handed to `handle` in row order.
    private func finishAll(
        k: Int, refine: ((Int, [ScoredIndex]) -> [ScoredIndex])?, handle: (Int, [ScoredIndex]) throws -> Void,
        progress: (Double) -> Void, candidates: @escaping (Int) -> [Int]
    ) throws {
        let n = count, batch = 4096
        var results = [[ScoredIndex]](repeating: [], count: min(batch, n))
        for start in stride(from: 0, to: n, by: batch) {
            let rows = min(batch, n - start)
            results.withUnsafeMutableBufferPointer { out in
                Parallel.forEachChunk(of: rows) { range in
                    for r in range { out[r] = finished(start + r, k: k, refine: refine, candidates: candidates) }
                }
            }
            for r in 0..<rows { try handle(start + r, results[r]) }
            progress(Double(start + rows) / Double(n))
        }
    }

    /// `allNeighbors` a slice of rows at a time, for indexes whose `CandidateTable` would not fit
    /// `symmetricMemoryBudget`: every pair is scored twice, but only a slice's candidates are held.
    ///
    /// Each core takes a slice of `slice` rows at a time and, for each column block of the index,
    /// multiplies the slice's int8 codes by the block (`Int8Product`, one thread) and keeps every row's
    /// candidates; it then rescores them in `Float`. Cores never wait for one another inside a
    /// slice, and the product's output stays in cache-sized pieces. Memory besides the index:
    /// `slice × Int8Product.blockWidth` floats per core.
    ///
    /// - Complexity: twice the multiply-adds and comparisons of `symmetricAllNeighbors`.
    func slicedAllNeighbors(
        k: Int, slice: Int, product: Int8Product, refine: ((Int, [ScoredIndex]) -> [ScoredIndex])?,
        progress: (Double) -> Void, handle: (Int, [ScoredIndex]) throws -> Void
    ) throws {
        let n = count
        let codes = self.codes ?? QuantizedRows(vectors).codes
        let slice = max(1, min(slice, n))
        let workers = ProcessorCount.active
        let round = slice * workers
        var results = [[ScoredIndex]](repeating: [], count: round)
        let dots = (0..<workers).map { _ in
            UnsafeMutableBufferPointer<Float>.allocate(capacity: slice * product.blockWidth)
        }
        defer { dots.forEach { $0.deallocate() } }
        for start in stride(from: 0, to: n, by: round) {
            let end = min(start + round, n)
            try results.withUnsafeMutableBufferPointer { out in
                _ = try Parallel.map(workers) { worker in
                    let first = start + worker * slice
                    guard first < end else { return }
                    let rows = first..<min(first + slice, end)
                    let candidates = try candidates(
                        of: rows, k: k, product: product, codes: codes, dots: dots[worker].baseAddress!)
                    for row in rows {
                        out[row - start] = finished(row, k: k, refine: refine) { candidates[$0 - first] }
                    }
                }
            }
            for row in start..<end { try handle(row, results[row - start]) }
            progress(Double(end) / Double(n))
        }
    }

    /// The int8 candidates of `rows` against every row: the rows' codes times each column block of
    /// `product`, each block's scores offered to the row's buffer as it comes. `dots` holds
    /// `rows.count × product.blockWidth` floats.
    private func candidates(
        of rows: Range<Int>, k: Int, product: Int8Product, codes: [Int8], dots: UnsafeMutablePointer<Float>
    ) throws -> [[Int]] {
        let isEmptyRow = self.isEmptyRow, d = dimensions
        var candidates = rows.map { _ in CandidateBuffer(k: ExactScan.candidateCount(k)) }
        try codes.withUnsafeBufferPointer { codes in
            try scales.withUnsafeBufferPointer { scales in
                try product.multiplyEachBlock(
                    queries: codes.baseAddress! + rows.lowerBound * d, count: rows.count, into: dots, threads: 1
                ) { block in
                    let range = product.blockRange(block)
                    for (r, row) in rows.enumerated() where !isEmptyRow[row] {
                        candidates[r].offer(
                            dots: dots + r * range.count, scales: scales.baseAddress! + range.lowerBound,
                            count: range.count, offset: range.lowerBound
                        ) { $0 != row && !isEmptyRow[$0] }
                    }
                }
            }
        }
        var best: [[Int]] = []
        for r in candidates.indices { best.append(candidates[r].best()) }
        return best
    }

    /// A row's list from its candidates: none for a row that can't be ranked, else the best `k`
    /// by exact `Float` cosine, then `refine`d. The last step of both all-pairs searches.
    @inline(__always)
    private func finished(
        _ row: Int, k: Int, refine: ((Int, [ScoredIndex]) -> [ScoredIndex])?, candidates: (Int) -> [Int]
    ) -> [ScoredIndex] {
        guard !isEmptyRow[row] else { return refine?(row, []) ?? [] }
        let neighbors = vectors.storage.withUnsafeBufferPointer {
            rescore(candidates(row), query: $0.baseAddress! + row * dimensions, k: k)
        }
        return refine?(row, neighbors) ?? neighbors
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
            // Each row's best among its scores, on every core.
            func best(_ r: Int, _ s: UnsafePointer<Float>) -> [ScoredIndex] {
                let row = start + r
                guard !isEmptyRow[row] else { return refine?(row, []) ?? [] }
                let neighbors = Self.best(k, of: s + r * n, count: n) { $0 != row && !isEmptyRow[$0] }
                return refine?(row, neighbors) ?? neighbors
            }
            scores.withUnsafeBufferPointer { s in
                results.withUnsafeMutableBufferPointer { out in
                    Parallel.forEachChunk(of: rows) { range in
                        for r in range { out[r] = best(r, s.baseAddress!) }
                    }
                }
            }
            for r in 0..<rows { try handle(start + r, results[r]) }
        }
    }
}
