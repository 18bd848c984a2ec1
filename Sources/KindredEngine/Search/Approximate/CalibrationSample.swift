import KindredLinearAlgebra

/// The articles an approximate index is calibrated on, with the lists exact search gives them:
/// `choosing` chooses each setting, `checking` (sixteen times as many, drawn only when a graph's
/// beam will be checked) confirms the beam on articles the choice never saw.
struct CalibrationSample {
    /// The sampled rows: `choosing` first, then `checking`.
    let rows: [Int]
    let choosing: Range<Int>
    let checking: Range<Int>
    /// Each sampled row's top `k` by exact search of `depth`, refined.
    let truth: [Set<Int>]
    let k: Int
    let vectors: DenseMatrix

    /// Draws the sample from `index`'s non-empty rows and searches each exactly.
    init(
        of index: EmbeddingIndex, seed: UInt64, checking: Bool, k: Int, depth: Int,
        refine: (Int, [ScoredIndex]) -> [ScoredIndex]
    ) throws {
        let isEmptyRow = index.isEmptyRow
        let candidates = isEmptyRow.indices.filter { !isEmptyRow[$0] }
        var generator = SeededGenerator(seed: seed ^ 0xCA11_B4A7E)
        // Both samples drawn whether or not there is a graph, so the probes are chosen on the
        // same articles either way.
        let sampled = generator.distinct(
            EmbeddingIndex.calibrationQueries + EmbeddingIndex.heldOutQueries, below: candidates.count)
        let rows = sampled.prefix(checking ? sampled.count : EmbeddingIndex.calibrationQueries).map { candidates[$0] }
        self.rows = rows
        choosing = 0..<min(rows.count, EmbeddingIndex.calibrationQueries)
        self.checking = choosing.endIndex..<rows.count
        truth = try Parallel.map(rows.count) { i in
            let nearest = try index.search(index.vectors.row(rows[i]), k: depth) { $0 == rows[i] }
            return Set(refine(rows[i], nearest).prefix(k).map(\.index))
        }
        self.k = k
        self.vectors = index.vectors
    }

    /// How much of the truth the top `k` of `nearest(query)`, refined, hold over the sampled
    /// articles at `positions`. Each query is held out (`SearchQuery.heldOut`): the search must
    /// skip its own row.
    func agreement(
        on positions: Range<Int>, refine: (Int, [ScoredIndex]) -> [ScoredIndex],
        _ nearest: (SearchQuery) -> [ScoredIndex]
    ) -> SampledRecall {
        let found = Parallel.map(positions.count) { j -> Int in
            let i = positions.lowerBound + j, row = rows[i]
            let query = SearchQuery(vectors.row(row), heldOut: row)
            return refine(row, nearest(query)).prefix(k).filter { truth[i].contains($0.index) }.count
        }
        return SampledRecall(found: found, wanted: truth[positions].map(\.count))
    }
}
