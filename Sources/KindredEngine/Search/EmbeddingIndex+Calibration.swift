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

    /// `approximate` with its default probes set to the fewest at which its top-`k` agreed with
    /// this (exact) index's on `calibrationQueries` sampled articles, each searched for its nearest
    /// others, surely enough for `calibrationTarget` (the sample's 95 % lower bound reaches it,
    /// `SampledRecall`); tried in steps of a quarter, from 1 up to every list, the last step then
    /// halved until it is a 32nd of the probes.
    /// The lists compared are the ones a query returns: `depth` nearest by LSA cosine, then
    /// `refine(row, candidates)` (the blend's re-ranking), cut to `k`; a result from deep in the
    /// LSA candidates must be found too.
    /// Then, `withGraph`, builds the graph (`NeighborGraph.built`) and calibrates its beam the same
    /// way, from the depth up to `NeighborGraph.widestBeam`, on the first sample's mean, and checks
    /// it on `heldOutQueries` other sampled articles, widening it until their lower bound reaches
    /// the target (`widened`): the graph's recall is the one measured on those. At a million
    /// generated articles asking the first sample's bound too chose a beam of 363, where the check
    /// alone chose 244 (a bound from 256 articles lies four times as far below their mean). Its walks
    /// keep off the sampled article's own row (`heldOut`): searched as a draft of its text would
    /// be on a graph without it. Otherwise, on a graph of exact nearest neighbours, the walk finds
    /// the answers among the article's own links: on the generated million a by-id calibration
    /// chose a beam of 117, where drafts measured 0.963.
    /// `kindred recall` measures drafts and by-id searches the same way on any model.
    ///
    /// - Complexity: `calibrationQueries` (and `heldOutQueries` with a graph) exact searches, then
    ///   as many approximate ones per step tried; with the training, the graph's build and its
    ///   beam, 72.9 s of a million-article reindex on two vnni EPYC cores (docs/performance.md, *The
    ///   approximate index*).
    ///
    /// - Parameter nearest: each article's `NeighborGraph.initialNeighbors` nearest others, when the
    ///   build found them exactly (its related lists' search): the graph's candidates instead of
    ///   the lists' scan.
    func calibrating(
        _ approximate: InvertedFileIndex, seed: UInt64, k: Int = 10, depth: Int, withGraph: Bool = true,
        nearest: consuming [Int32]? = nil, refine: (Int, [ScoredIndex]) -> [ScoredIndex]
    ) throws -> InvertedFileIndex {
        let isEmptyRow = self.isEmptyRow
        let candidates = isEmptyRow.indices.filter { !isEmptyRow[$0] }
        guard count > InvertedLists.candidateCount(depth), approximate.lists > 1, !candidates.isEmpty else {
            // Every search of an index this small is exact (`usesCandidateStage`).
            return approximate.calibrated(probes: approximate.lists, recall: 1, queries: 0)
        }
        var generator = SeededGenerator(seed: seed ^ 0xCA11_B4A7E)
        // Two samples: the settings are chosen on the first; the graph's beam is then checked on
        // the second (`heldOut`), which the choice never saw.
        // Both drawn whether or not there is a graph, so the probes are chosen on the same articles.
        let sampled = generator.distinct(Self.calibrationQueries + Self.heldOutQueries, below: candidates.count)
        let queries = sampled.prefix(withGraph ? sampled.count : Self.calibrationQueries).map { candidates[$0] }
        let choosing = 0..<min(queries.count, Self.calibrationQueries), heldOut = choosing.endIndex..<queries.count
        let truth = try Parallel.map(queries.count) { i in
            let nearest = try search(vectors.row(queries[i]), k: depth) { $0 == queries[i] }
            return Set(refine(queries[i], nearest).prefix(k).map(\.index))
        }
        // Optional so that the graph's build can take it (and free its codes) once probes are chosen.
        var lists: InvertedLists? = InvertedLists(approximate, vectors: vectors)
        // How much of the truth the top k of `nearest(query)`, re-ranked, hold over `sample`.
        func agreement(on sample: Range<Int>, _ nearest: (Int) -> [ScoredIndex]) -> SampledRecall {
            let found = Parallel.map(sample.count) { j -> Int in
                let i = sample.lowerBound + j
                return refine(queries[i], nearest(i)).prefix(k).filter { truth[i].contains($0.index) }.count
            }
            return SampledRecall(found: found, wanted: truth[sample].map(\.count))
        }
        func recall(probes: Int) -> SampledRecall {
            agreement(on: choosing) { i in
                search(vectors.row(queries[i]), k: depth, through: lists!, probes: probes) { $0 == queries[i] }
            }
        }
        let (probes, measured) = Self.fewest(from: 1, upTo: approximate.lists, reaching: recall(probes:))
        let partition = approximate.calibrated(probes: probes, recall: measured.mean, queries: choosing.count)
        guard withGraph else { return partition }
        // The graph, over the same lists' codes, pruned with this exact index's int8 codes when a
        // build kept them for its related lists; then the narrowest beam that reaches the target,
        // walked over the rows a served model walks.
        let graph = {
            let (codes, scales) =
                self.codes.map { ($0, self.scales) }
                ?? {
                    let quantized = QuantizedRows(vectors)
                    return (quantized.codes, quantized.scales)
                }()
            return NeighborGraph.built(
                lists: lists.take()!, codes: codes, scales: scales, isEmptyRow: isEmptyRow, seed: seed,
                nearest: nearest.take())
        }()
        let d = dimensions
        let rows = vectors.storage.withUnsafeBufferPointer { v in
            ScaledCodeRows(rows: count, columns: d) { v.baseAddress! + $0 * d }
        }
        func recall(beam: Int, on sample: Range<Int>) -> SampledRecall {
            agreement(on: sample) { i in
                searchGraph(
                    vectors.row(queries[i]), k: depth, graph: graph, rows: rows, beam: beam, heldOut: queries[i]
                ) { $0 == queries[i] } ?? []
            }
        }
        // With a check to follow, the first sample's mean only finds where to start: the check's
        // sixteen times the articles make sure of the target at a narrower beam than 256 could.
        let chosen = Self.fewest(
            from: depth + 2, upTo: NeighborGraph.widestBeam,
            reaching: {
                heldOut.isEmpty
                    ? recall(beam: $0, on: choosing) : SampledRecall(exactly: recall(beam: $0, on: choosing).mean)
            },
            plateau: Self.beamPlateau)
        guard !heldOut.isEmpty else {
            return partition.with(
                graph: graph.calibrated(beam: chosen.0, recall: chosen.1.mean, queries: choosing.count))
        }
        let (beam, beamRecall) = Self.widened(chosen, upTo: NeighborGraph.widestBeam) { recall(beam: $0, on: heldOut) }
        return partition.with(graph: graph.calibrated(beam: beam, recall: beamRecall.mean, queries: heldOut.count))
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
        guard chosen.1.reaches(InvertedFileIndex.calibrationTarget) else { return (chosen.0, measured) }
        let widened = rising(
            from: chosen.0, measured: measured, upTo: limit, reaching: recall, plateau: beamPlateau, stepsPerQuarter: 2)
        return (widened.count, widened.measured)
    }

    /// The fewest of `start...limit` at which `recall` reaches `InvertedFileIndex.calibrationTarget`
    /// (or `limit`), with its recall: steps of a quarter up from `start` to the first that reaches
    /// it, then the last step halved down to a 32nd of the number.
    ///
    /// - Parameter plateau: give up (returning the last number tried, below the target) when two
    ///   steps gained less recall than this together. A graph whose recall has stopped rising
    ///   would otherwise be walked at every beam up to the widest, for nothing: on Debian's
    ///   63,666 articles the index stage took 8.6 s so, 5.9 s with the rule.
    static func fewest(
        from start: Int, upTo limit: Int, reaching recall: (Int) -> SampledRecall, plateau: Float? = nil
    ) -> (Int, SampledRecall) {
        let target = InvertedFileIndex.calibrationTarget
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
    /// recall is `measured`) until `recall` reaches `InvertedFileIndex.calibrationTarget` or
    /// `limit`, or, with a `plateau`, until half a number's worth of steps (two quarters, four
    /// eighths) gained less than it together. Returns the last number that fell short before the
    /// final one (nil when no step was taken), the final number and its recall.
    static func rising(
        from count: Int, measured: SampledRecall, upTo limit: Int, reaching recall: (Int) -> SampledRecall,
        plateau: Float?, stepsPerQuarter: Int = 1
    ) -> (failing: Int?, count: Int, measured: SampledRecall) {
        let target = InvertedFileIndex.calibrationTarget
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
