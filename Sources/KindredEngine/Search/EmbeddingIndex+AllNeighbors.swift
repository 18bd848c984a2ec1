import KindredLinearAlgebra
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// How `EmbeddingIndex.allNeighbors` runs its candidate stage.
public enum AllPairsMethod: Sendable {
    /// Each pair once when the candidate table fits `symmetricMemoryBudget`, else slices.
    case automatic
    /// `symmetricAllNeighbors`.
    case eachPairOnce
    /// `slicedAllNeighbors`.
    case slices
}

extension EmbeddingIndex {
    /// The most memory the all-pairs search's `CandidateTable` may take before the search falls
    /// back to scoring every pair twice, a slice of rows at a time. 1 GiB: Debian's 64k articles
    /// with 110-deep lists take 169 MB and a million articles with 40-deep lists 972 MB (a 1M
    /// build then peaks at 6.4 GiB, under its 8 GiB target); a million with 110-deep lists would
    /// take 2.6 GB, more than that target leaves.
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
        guard usesCandidateStage(k: k), let product else {
            return try floatAllNeighbors(k: k, refine: refine, handle: handle)
        }
        let fits = CandidateTable.bytes(rows: count, k: Self.candidateCount(k)) <= Self.symmetricMemoryBudget
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
        let width = Self.candidateCount(k)
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
            vectors.storage.withUnsafeBufferPointer { v in
                results.withUnsafeMutableBufferPointer { out in
                    Parallel.forEachChunk(of: rows) { range in
                        for r in range {
                            out[r] = finished(
                                start + r, k: k, vectors: v.baseAddress!, refine: refine, candidates: candidates)
                        }
                    }
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
        let n = count, d = dimensions
        let codes = self.codes ?? QuantizedRows(vectors).codes
        let slice = max(1, min(slice, n))
        let workers = ProcessorCount.active
        let round = slice * workers
        let width = Self.candidateCount(k)
        var results = [[ScoredIndex]](repeating: [], count: round)
        let isEmptyRow = self.isEmptyRow
        let dots = (0..<workers).map { _ in
            UnsafeMutableBufferPointer<Float>.allocate(capacity: slice * product.blockWidth)
        }
        defer { dots.forEach { $0.deallocate() } }
        for start in stride(from: 0, to: n, by: round) {
            let rows = min(round, n - start)
            try results.withUnsafeMutableBufferPointer { out in
                try codes.withUnsafeBufferPointer { codes in
                    try scales.withUnsafeBufferPointer { scales in
                        try vectors.storage.withUnsafeBufferPointer { v in
                            _ = try Parallel.map(workers) { worker in
                                let first = worker * slice
                                guard first < rows else { return }
                                let count = min(slice, rows - first)
                                var candidates = (0..<count).map { _ in CandidateBuffer(k: width) }
                                try product.multiplyEachBlock(
                                    queries: codes.baseAddress! + (start + first) * d, count: count,
                                    into: dots[worker].baseAddress!, threads: 1
                                ) { block in
                                    let range = product.blockRange(block)
                                    for r in 0..<count where !isEmptyRow[start + first + r] {
                                        let row = start + first + r
                                        Self.select(
                                            dots: dots[worker].baseAddress! + r * range.count,
                                            scales: scales.baseAddress! + range.lowerBound, count: range.count,
                                            offset: range.lowerBound, into: &candidates[r]
                                        ) { $0 != row && !isEmptyRow[$0] }
                                    }
                                }
                                for r in 0..<count {
                                    out[first + r] = finished(
                                        start + first + r, k: k, vectors: v.baseAddress!, refine: refine
                                    ) { _ in
                                        candidates[r].best()
                                    }
                                }
                            }
                        }
                    }
                }
            }
            for r in 0..<rows { try handle(start + r, results[r]) }
            progress(Double(start + rows) / Double(n))
        }
    }

    /// A row's list from its candidates: none for a row that can't be ranked, else the best `k`
    /// by exact `Float` cosine, then `refine`d. The last step of both all-pairs searches.
    @inline(__always)
    private func finished(
        _ row: Int, k: Int, vectors: UnsafePointer<Float>, refine: ((Int, [ScoredIndex]) -> [ScoredIndex])?,
        candidates: (Int) -> [Int]
    ) -> [ScoredIndex] {
        let neighbors = isEmptyRow[row] ? [] : rescore(candidates(row), query: vectors + row * dimensions, k: k)
        return refine?(row, neighbors) ?? neighbors
    }
}
