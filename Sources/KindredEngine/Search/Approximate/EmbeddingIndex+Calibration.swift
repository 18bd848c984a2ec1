import Foundation
import KindredLinearAlgebra

extension EmbeddingIndex {
    /// Articles sampled to calibrate an approximate index's probes and beam.
    public static let calibrationQueries = 256

    /// Articles sampled to check the graph's beam (`widened`): sixteen times as many as chose it.
    /// The check decides where widening stops, at the narrowest beam whose lower bound reaches the
    /// target (`SampledRecall`), and the bound lies below the mean by the sample's noise: held-out
    /// walks fail rarely but sometimes wholly, so on the generated million 1,024 articles needed a
    /// mean near 0.987 to be sure of 0.98 (beam 371), and four times the articles halve that
    /// margin. Their exact searches and walks cost about 25 s of that million's reindex.
    public static let heldOutQueries = 4_096

    /// Whether an approximate index over `lists` is worth calibrating for searches of `depth`:
    /// the archive holds more rows than a search keeps candidates, in more than one list. Every
    /// search of a smaller index is exact (`usesCandidateStage`), and the build makes no graph.
    func calibrates(_ lists: InvertedFileIndex, depth: Int) -> Bool {
        count > ListScan.candidateCount(depth) && lists.lists > 1 && isEmptyRow.contains(false)
    }

    /// The graph over `lists`' articles (`NeighborGraph.built`), pruned with this exact index's
    /// int8 codes when a build kept them for its related lists.
    ///
    /// - Parameter nearest: each article's `NeighborGraph.initialNeighbors` nearest others, when the
    ///   build found them exactly (its related lists' search): the graph's candidates instead of
    ///   the lists' scan.
    func graph(over lists: InvertedFileIndex, seed: UInt64, nearest: consuming [Int32]?) -> NeighborGraph {
        let (codes, scales) = int8Rows()
        let nearest = nearest.take()
        // The lists' int4 codes are made only for the lists' scan.
        return NeighborGraph.built(
            lists: nearest == nil ? ListScan(lists, vectors: vectors) : nil, codes: codes, scales: scales,
            isEmptyRow: isEmptyRow, seed: seed, nearest: nearest)
    }

    /// The int8 codes of the rows and their scales: the kept codes, else quantised again.
    func int8Rows() -> (codes: [Int8], scales: [Float]) {
        if let codes { return (codes, scales) }
        let quantized = QuantizedRows(vectors)
        return (quantized.codes, quantized.scales)
    }

    /// The approximate index of `lists` and `graph`, each calibrated against this (exact) index.
    ///
    /// The probes: the fewest at which its top-`k` agreed with this index's on
    /// `calibrationQueries` sampled articles, each searched for its nearest others, surely enough
    /// for `calibrationTarget` (the sample's 95 % lower bound reaches it, `SampledRecall`); tried
    /// in steps of a quarter, from 1 up to every list, the last step then halved until it is a
    /// 32nd of the probes. The lists compared are the ones a query returns: `depth` nearest by
    /// cosine, then `refine(row, candidates)` (the blend's re-ranking), cut to `k`; a result from
    /// deep in the candidates must be found too.
    ///
    /// The beam, with a graph: chosen the same way from the depth up to
    /// `NeighborGraph.widestBeam` on the first sample's mean, then checked on `heldOutQueries`
    /// other sampled articles and widened until their lower bound reaches the target (`widened`):
    /// the graph's recall is the one measured on those. A bound from 256 articles lies four
    /// times as far below their mean as one from 4,096, and would choose a needlessly wide beam.
    /// The walks keep off the sampled article's own row (`SearchQuery.heldOut`): searched as a
    /// draft of its text would be on a graph without it. Otherwise, on a graph of exact nearest
    /// neighbours, the walk finds the answers among the article's own links and the beam comes
    /// out too narrow for drafts. `kindred recall` measures drafts and by-id searches the same
    /// way on any model.
    ///
    /// - Complexity: `calibrationQueries` (and `heldOutQueries` with a graph) exact searches, then
    ///   as many approximate ones per step tried (docs/performance.md, *The approximate index*).
    func calibrating(
        _ lists: InvertedFileIndex, graph: NeighborGraph?, seed: UInt64, k: Int = 10, depth: Int,
        refine: (Int, [ScoredIndex]) -> [ScoredIndex]
    ) throws -> ApproximateIndex {
        guard calibrates(lists, depth: depth) else {
            return ApproximateIndex(lists: lists, probes: Calibration(value: lists.lists, recall: 1))
        }
        let sample = try CalibrationSample(
            of: self, seed: seed, checking: graph != nil, k: k, depth: depth, refine: refine)
        var scan: ListScan? = ListScan(lists, vectors: vectors)
        let (probes, measured) = Self.fewest(from: 1, upTo: lists.lists) { probes in
            sample.agreement(on: sample.choosing, refine: refine) { query in
                search(query, k: depth, through: scan!.probing(probes)) { $0 == query.heldOut }
            }
        }
        let partition = ApproximateIndex(
            lists: lists, probes: Calibration(value: probes, recall: measured.mean, queries: sample.choosing.count))
        guard let graph else { return partition }
        // The lists' codes go before the walk's are made.
        scan = nil
        let walk = GraphWalk(graph: graph, vectors: vectors, beam: depth)
        func recall(beam: Int, on queries: Range<Int>) -> SampledRecall {
            sample.agreement(on: queries, refine: refine) { query in
                search(query, k: depth, through: walk.walking(beam: beam)) { $0 == query.heldOut }
            }
        }
        // With a check to follow, the first sample's mean only finds where to start: the check's
        // sixteen times the articles make sure of the target at a narrower beam than 256 could.
        let checked = !sample.checking.isEmpty
        let chosen = Self.fewest(
            from: depth + 2, upTo: NeighborGraph.widestBeam,
            reaching: {
                let measured = recall(beam: $0, on: sample.choosing)
                return checked ? SampledRecall(exactly: measured.mean) : measured
            },
            plateau: Self.beamPlateau)
        guard checked else {
            return partition.with(
                graph: graph, beam: Calibration(value: chosen.0, recall: chosen.1.mean, queries: sample.choosing.count))
        }
        let (beam, beamRecall) = Self.widened(chosen, upTo: NeighborGraph.widestBeam) {
            recall(beam: $0, on: sample.checking)
        }
        return partition.with(
            graph: graph, beam: Calibration(value: beam, recall: beamRecall.mean, queries: sample.checking.count))
    }

    /// The best `k` of `strategy`'s candidates for `query`, by exact cosine, skipping excluded
    /// rows; none when the strategy cannot answer (`CandidateSearch.candidates`).
    func search(
        _ query: SearchQuery, k: Int, through strategy: some CandidateSearch, excluding: (Int) -> Bool
    ) -> [ScoredIndex] {
        let isEmptyRow = self.isEmptyRow
        let found = try? strategy.candidates(for: query, k: k) { !isEmptyRow[$0] && !excluding($0) }
        return found.flatMap { $0 }.map { rescore($0, query: query, k: k) } ?? []
    }

    /// The least gain of recall over two steps of the beam worth another step (`fewest`'s
    /// `plateau`): Debian's graph stops near 0.974 whatever the beam.
    static let beamPlateau: Float = 0.002

    /// A number `fewest` chose, checked on a sample it never saw and widened by eighths while
    /// that sample's lower bound falls short of the target, with that sample's recall.
    ///
    /// The narrowest setting that reaches the target on one sample is, by that choice, one its
    /// sample was lucky with: where recall grows slowly with the setting, a sample a few
    /// thousandths above the truth moves the choice a long way. At a million generated articles a
    /// beam chosen on 256 articles at 0.985 measured 0.978–0.980 on four other samples of 256.
    /// A choice that did not reach the target (a graph whose recall stopped rising) is only
    /// measured, not widened. Eighths, not the quarters of the first choice: that sample's bound
    /// is its margin already, and a quarter too wide is a quarter slower (at a
    /// million articles, a walk measured 0.9845 by id at a beam of 1,138 and 0.9871 at 1,465).
    static func widened(
        _ chosen: (Int, SampledRecall), upTo limit: Int, recall: (Int) -> SampledRecall
    ) -> (Int, SampledRecall) {
        let measured = recall(chosen.0)
        guard chosen.1.reaches(ApproximateIndex.calibrationTarget) else { return (chosen.0, measured) }
        let widened = rising(
            from: chosen.0, measured: measured, upTo: limit, reaching: recall, plateau: beamPlateau, stepsPerQuarter: 2)
        return (widened.count, widened.measured)
    }

    /// The fewest of `start...limit` at which `recall` reaches `ApproximateIndex.calibrationTarget`
    /// (or `limit`), with its recall: steps of a quarter up from `start` to the first that reaches
    /// it, then the last step halved down to a 32nd of the number.
    ///
    /// - Parameter plateau: give up (returning the last number tried, below the target) when two
    ///   steps gained less recall than this together. A graph whose recall has stopped rising
    ///   would otherwise be walked at every beam up to the widest, for nothing (Debian's graph
    ///   stops short of the target whatever the beam).
    static func fewest(
        from start: Int, upTo limit: Int, reaching recall: (Int) -> SampledRecall, plateau: Float? = nil
    ) -> (Int, SampledRecall) {
        let target = ApproximateIndex.calibrationTarget
        let first = min(start, limit)
        let rose = rising(from: first, measured: recall(first), upTo: limit, reaching: recall, plateau: plateau)
        var (failing, count, measured) = (rose.failing ?? start - 1, rose.count, rose.measured)
        while measured.reaches(target) && count - failing > max(1, count / 32) {
            let middle = (failing + count) / 2
            let atMiddle = recall(middle)
            if atMiddle.reaches(target) {
                (count, measured) = (middle, atMiddle)
            } else {
                failing = middle
            }
        }
        return (count, measured)
    }

    /// Steps of a quarter (or of an eighth, with `stepsPerQuarter` 2) up from `count` (whose
    /// recall is `measured`) until `recall` reaches `ApproximateIndex.calibrationTarget` or
    /// `limit`, or, with a `plateau`, until half a number's worth of steps (two quarters, four
    /// eighths) gained less than it together. Returns the last number that fell short before the
    /// final one (nil when no step was taken), the final number and its recall.
    static func rising(
        from count: Int, measured: SampledRecall, upTo limit: Int, reaching recall: (Int) -> SampledRecall,
        plateau: Float?, stepsPerQuarter: Int = 1
    ) -> (failing: Int?, count: Int, measured: SampledRecall) {
        let target = ApproximateIndex.calibrationTarget
        let lookBack = 2 * stepsPerQuarter + 1, parts = 4 * stepsPerQuarter
        var (failing, count, measured) = (Int?.none, count, measured)
        var earlier: [Float] = []
        while !measured.reaches(target) && count < limit {
            earlier.append(measured.mean)
            if let plateau, earlier.count >= lookBack, measured.mean - earlier[earlier.count - lookBack] < plateau {
                break
            }
            (failing, count) = (count, min(limit, max(count + 1, count * (parts + 1) / parts)))
            measured = recall(count)
        }
        return (failing, count, measured)
    }
}
