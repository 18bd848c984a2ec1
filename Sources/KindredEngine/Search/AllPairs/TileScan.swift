import KindredLinearAlgebra

/// One worker's scan of tile pairs in the symmetric all-pairs search
/// (`EmbeddingIndex.symmetricAllNeighbors`), with the scratch memory it reuses from pair to pair.
///
/// For a pair of tiles `(A, B)` it multiplies `A`'s int8 codes by `B`'s, `slice` rows of `A` at a
/// time, and scans each row of scores once (`ScoreScan`) for the scores that beat the row's own
/// threshold and those that beat the threshold of the row of `B` they were scored against; both
/// go to the rows' candidates (`CandidateTable`). A tile against itself is scanned row-wise only.
final class TileScan {
    private let tiles: Int8Product
    private let codes: UnsafePointer<Int8>
    private let scales: UnsafePointer<Float>
    private let dimensions: Int
    private let slice: Int
    private let table: CandidateTable
    private let isEmptyRow: [Bool]
    /// `slice × tile` scores of the product being scanned.
    private let dots: UnsafeMutablePointer<Float>
    private let scan: ScoreScan
    /// `CandidateTable.offer`'s merge space.
    private let scratch: (scores: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>)

    init(
        tiles: Int8Product, codes: UnsafePointer<Int8>, scales: UnsafePointer<Float>, dimensions: Int, slice: Int,
        table: CandidateTable, isEmptyRow: [Bool]
    ) {
        self.tiles = tiles
        self.codes = codes
        self.scales = scales
        self.dimensions = dimensions
        self.slice = slice
        self.table = table
        self.isEmptyRow = isEmptyRow
        dots = .allocate(capacity: slice * tiles.blockWidth)
        scan = ScoreScan(capacity: tiles.blockWidth)
        scratch = (
            .allocate(capacity: table.capacity + EmbeddingIndex.scanSegment),
            .allocate(capacity: table.capacity + EmbeddingIndex.scanSegment)
        )
    }

    deinit {
        dots.deallocate()
        scratch.scores.deallocate()
        scratch.indices.deallocate()
    }

    /// Scores the pair's rows against each other and offers the hits to the candidate table.
    func scan(_ pair: TilePairSchedule.Pair) throws {
        let rows = tiles.blockRange(pair.first), columns = tiles.blockRange(pair.second)
        let limits = pair.first == pair.second ? nil : UnsafePointer(table.thresholds + columns.lowerBound)
        for start in stride(from: rows.lowerBound, to: rows.upperBound, by: slice) {
            let count = min(slice, rows.upperBound - start)
            try tiles.multiply(
                queries: codes + start * dimensions, count: count, block: pair.second, into: dots, threads: 1)
            for r in 0..<count where !isEmptyRow[start + r] {
                scanRow(
                    start + r, scores: dots + r * columns.count, columns: columns, limits: limits,
                    ownTile: pair.first == pair.second)
            }
        }
    }

    /// One row of scores, a segment at a time, so that the row's threshold, which starts at −∞, is
    /// raised by what the previous segments offered.
    private func scanRow(
        _ row: Int, scores: UnsafePointer<Float>, columns: Range<Int>, limits: UnsafePointer<Float>?, ownTile: Bool
    ) {
        var from = 0
        while from < columns.count {
            // A row meets its own tile first, its threshold at −∞: segments grow from 64 with what
            // it has seen, so that the first ones don't offer hundreds of scores the next ones
            // would beat.
            let segment = min(
                ownTile ? max(64, from) : EmbeddingIndex.scanSegment, EmbeddingIndex.scanSegment, columns.count - from)
            defer { from += segment }
            let first = columns.lowerBound + from
            let hits = scan.scan(
                dots: scores + from, scales: scales + first, queryScale: scales[row], rowLimit: table.thresholds[row],
                columnLimits: limits.map { $0 + from }, count: segment)
            let isEmptyRow = self.isEmptyRow
            table.offer(
                row: row, count: hits.rows, indices: scan.rowHits.baseAddress!, offset: first,
                scores: scan.rowScores.baseAddress!, scratch: scratch
            ) { $0 != row && !isEmptyRow[$0] }
            for h in 0..<hits.columns {
                table.offer(row: first + Int(scan.columnHits[h]), index: row, score: scan.columnScores[h])
            }
        }
    }
}
