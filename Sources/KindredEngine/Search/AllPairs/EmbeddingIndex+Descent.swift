import KindredLinearAlgebra

extension EmbeddingIndex {
    /// Each row's nearest others without scoring every pair, in three steps:
    ///
    /// 1. its nearest in the lists of `partition` nearest it (`ListNeighbors`);
    /// 2. `NeighborDescent.rounds` rounds of neighbour descent from those (`NeighborDescent`);
    /// 3. walks: a graph linked among the nearest found so far (`NeighborGraph.built`), walked
    ///    from each row's own nearest, keeping `NeighborDescent.walkBeam` rows
    ///    (`NeighborGraph.search`); again on a graph of what the walks found, until the sample's
    ///    recall reaches `NeighborDescent.target`, a walk gains under `NeighborDescent.leastGain`,
    ///    or after `NeighborDescent.maximumWalks`.
    ///
    /// Descent alone stops short: each round finds fewer of the nearest it missed (on the
    /// generated 300,000 articles, 0.56 from the lists, 0.77 after two rounds, 0.82 after six).
    /// A walk from the row's own neighbourhood reaches most of the rest for a few thousand rows
    /// scored, as a by-id search would, without starting far away (docs/performance.md, *1M
    /// articles*).
    ///
    /// - Returns: each row's `walkBeam` best by the walk's score when it walked (the caller
    ///   rescores them in `Float`), else its `width` best by int8 code; the sampled recall of the
    ///   exact `width` nearest.
    func descendingNeighbors(
        over partition: InvertedFileIndex, width: Int, seed: UInt64, progress: (Double) -> Void = { _ in }
    ) -> NeighborDescent.Outcome {
        let (codes, scales) = int8Rows()
        let start = ListNeighbors(
            lists: ListScan(partition, vectors: vectors), codes: codes, isEmptyRow: isEmptyRow
        ).all(width: width)
        let descent = NeighborDescent(codes: codes, scales: scales, isEmptyRow: isEmptyRow, width: width)
        var outcome = descent.descended(from: start, seed: seed)
        progress(0.2)
        let beam = max(width, NeighborDescent.walkBeam)
        var rows: ScaledCodeRows?
        while outcome.walks < NeighborDescent.maximumWalks && !outcome.recall.reaches(NeighborDescent.target) {
            let graph = NeighborGraph.built(
                lists: nil, codes: codes, scales: scales, isEmptyRow: isEmptyRow, seed: seed,
                nearest: outcome.table.columns(NeighborGraph.initialNeighbors))
            rows =
                rows
                ?? vectors.storage.withUnsafeBufferPointer { v in
                    ScaledCodeRows(rows: count, columns: dimensions) { v.baseAddress! + $0 * dimensions }
                }
            let walked = walkedNeighbors(from: outcome.table, graph: graph, rows: rows!, beam: beam, codes: codes)
            let measured = outcome.truth.recall(of: walked)
            let gain = measured.mean - outcome.recall.mean
            (outcome.table, outcome.recall) = (walked, measured)
            outcome.walks += 1
            progress(0.2 + 0.8 * Double(outcome.walks) / Double(NeighborDescent.maximumWalks))
            if gain < NeighborDescent.leastGain { break }
        }
        return outcome
    }

    /// Each row's `beam` best by a walk of `graph` over `rows` from its nearest in `table`.
    private func walkedNeighbors(
        from table: NearestTable, graph: NeighborGraph, rows: ScaledCodeRows, beam: Int, codes: [Int8]
    ) -> NearestTable {
        let n = count, d = dimensions
        var walked = [Int32](repeating: -1, count: n * beam)
        walked.withUnsafeMutableBufferPointer { out in
            Parallel.forEachChunk(of: n) { range in
                for a in range where !isEmptyRow[a] {
                    let start = table.nearest(of: a).map { Int32($0) }
                    let query = rows.query(Array(codes[a * d..<(a + 1) * d]))
                    let found = graph.search(query: query, rows: rows, beam: beam, heldOut: a, from: start)
                    for (slot, entry) in found.enumerated() { out[a * beam + slot] = Int32(entry.index) }
                }
            }
        }
        return NearestTable(width: beam, rows: walked)
    }
}
