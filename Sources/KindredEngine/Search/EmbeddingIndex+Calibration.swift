import KindredLinearAlgebra

extension EmbeddingIndex {
    /// Articles sampled to calibrate an approximate index's probes.
    public static let calibrationQueries = 256

    /// `approximate` with its default probes set to the fewest at which its top-`k` agreed with
    /// this (exact) index's on `calibrationTarget` of `calibrationQueries` sampled articles, each
    /// searched for its nearest others; tried in steps of a quarter, from 1 up to every list, the
    /// last step then halved until it is a 32nd of the probes.
    /// The lists compared are the ones a query returns: `depth` nearest by LSA cosine, then
    /// `refine(row, candidates)` (the blend's re-ranking), cut to `k`; a result from deep in the
    /// LSA candidates must be found too.
    /// `kindred recall` measures drafts and by-id searches the same way on any model.
    ///
    /// - Complexity: `calibrationQueries` exact searches, then the same number of approximate
    ///   ones per step tried; with the training, 24 s of a million-article reindex.
    func calibrating(
        _ approximate: InvertedFileIndex, seed: UInt64, k: Int = 10, depth: Int,
        refine: (Int, [ScoredIndex]) -> [ScoredIndex]
    ) throws -> InvertedFileIndex {
        let isEmptyRow = self.isEmptyRow
        let candidates = isEmptyRow.indices.filter { !isEmptyRow[$0] }
        guard count > InvertedLists.candidateCount(depth), approximate.lists > 1, !candidates.isEmpty else {
            // Every search of an index this small is exact (`usesCandidateStage`).
            return approximate.calibrated(probes: approximate.lists, recall: 1, queries: 0)
        }
        var generator = SeededGenerator(seed: seed ^ 0xCA11_B4A7E)
        let queries = generator.distinct(Self.calibrationQueries, below: candidates.count).map { candidates[$0] }
        let truth = try Parallel.map(queries.count) { i in
            let nearest = try search(vectors.row(queries[i]), k: depth) { $0 == queries[i] }
            return Set(refine(queries[i], nearest).prefix(k).map(\.index))
        }
        let lists = InvertedLists(approximate, vectors: vectors)
        func recall(probes: Int) -> Float {
            let found = Parallel.map(queries.count) { i -> Int in
                let nearest = search(vectors.row(queries[i]), k: depth, through: lists, probes: probes) {
                    $0 == queries[i]
                }
                let best = refine(queries[i], nearest).prefix(k)
                return best.filter { truth[i].contains($0.index) }.count
            }
            let wanted = truth.reduce(0) { $0 + $1.count }
            return wanted == 0 ? 1 : Float(found.reduce(0, +)) / Float(wanted)
        }
        // Steps of a quarter up to the first number that reaches the target, then halving the
        // last step (down to a 32nd of the probes) for the fewest that still do.
        var (failing, probes) = (0, 1)
        var measured = recall(probes: probes)
        while measured < InvertedFileIndex.calibrationTarget && probes < approximate.lists {
            (failing, probes) = (probes, min(approximate.lists, max(probes + 1, probes * 5 / 4)))
            measured = recall(probes: probes)
        }
        while probes - failing > max(1, probes / 32) {
            let middle = (failing + probes) / 2
            let atMiddle = recall(probes: middle)
            if atMiddle >= InvertedFileIndex.calibrationTarget {
                (probes, measured) = (middle, atMiddle)
            } else {
                failing = middle
            }
        }
        return approximate.calibrated(probes: probes, recall: measured, queries: queries.count)
    }
}
