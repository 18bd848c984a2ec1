import CKindredKernels
import KindredLinearAlgebra

/// Searches among a filter's own rows (a section's, a language's, a date range's), scored one by
/// one, for filters that leave too few articles for the usual path to pay.
///
/// The usual path ranks everything and drops what the filter refuses. A graph walk keeps its
/// beam's best rows whatever the filter: when a filter admits fewer than one row in
/// `beam / (2k)`, the beam holds too few admitted ones, and the lists then answer by probing
/// until they hold enough, which for a narrow section reads most of the archive: at a million
/// articles such searches made a by-id load's 99th percentile (55–71 ms at -c16 with one
/// request in ten filtered, docs/performance.md, *Filters*). Scoring the filter's rows alone
/// reads only theirs, and is exact. Weaviate (its flat-search cutoff) and Qdrant (its query
/// planner) likewise scan the points of a filter that matches few; here the rows of each section
/// and language are kept beside the model's metadata (`ArticleLookups`).
extension EmbeddingIndex {
    /// About how many rows scored alone cost as much as one row of a walk's beam: a walk at a
    /// beam of 379 took 0.67 ms on the million of docs/performance.md (1.8 µs a row of its beam),
    /// a walk's row scored alone 48–53 ns (vnni EPYC).
    static let walkCostPerBeamRow = 32

    /// The beam a walk keeps for a search among `rows` articles of the filter (nil: no filter's
    /// rows known): wide enough to hold `2k` admitted rows on average, at least `beam`, at most
    /// `NeighborGraph.widestBeam`.
    func filteredBeam(_ rows: Int?, k: Int, beam: Int) -> Int {
        guard let rows, rows < count else { return beam }
        return min(NeighborGraph.widestBeam, max(beam, 2 * k * count / max(rows, 1)))
    }

    /// Whether a search for `k` rows among `rows` of this index's articles is cheaper scoring those
    /// rows alone than through the usual path.
    ///
    /// - A graph search answers from the admitted rows of its beam, widened for a filter until
    ///   they are `2k` on average (`filteredBeam`: `2k·n / rows`). Scoring the rows alone costs
    ///   `rows` reads of a walk's rows; the widened walk about `walkCostPerBeamRow` of them per row
    ///   of its beam. So the rows are scored alone below `√(walkCostPerBeamRow · 2k·n)` of them:
    ///   43,800 at a million articles and a depth of 30 (5.6 MB of 4-bit rows), whatever the
    ///   calibrated beam.
    /// - Lists answer from the probed lists' admitted rows: when those are expected to hold fewer
    ///   than twice the candidates a search keeps, the rows are scored instead.
    /// - An exact scan reads every row's int8 codes in order; a row scored alone costs its
    ///   `Float` vector (four times the bytes) read from anywhere, so only a sixteenth of the
    ///   archive or less is scored alone.
    func scoresRowsAlone(_ rows: Int, k: Int, exact: Bool) -> Bool {
        let n = count
        guard rows < n else { return false }
        if let lists, !exact {
            if graphCodes != nil {
                return rows * rows < Self.walkCostPerBeamRow * 2 * k * n
            }
            return rows * probes < 2 * InvertedLists.candidateCount(k) * lists.index.lists
        }
        return rows * 16 <= n
    }

    /// The `k` rows of `rows` most similar to a unit-length `query`, best first, skipping excluded
    /// ones: every listed row scored. Through the graph's rows (scales inline) the best
    /// `InvertedLists.candidateCount(k)` are rescored in `Float`, as the walk's are; with int8 codes
    /// (a build's exact index) the best `candidateCount(k)`, as the exact scan does; otherwise each
    /// row's `Float` vector is scored directly. Either way the answer is the exact one among the
    /// rows, to the candidate stage's margin.
    ///
    /// - Complexity: O(|rows| · d), reads scattered by row (prefetched ahead in the kernels).
    func search(
        _ query: [Float], k: Int, amongRows rows: ArraySlice<Int32>, excluding: (Int) -> Bool
    ) -> [ScoredIndex] {
        let d = dimensions, isEmptyRow = self.isEmptyRow
        let scoreBlock: (UnsafePointer<Int32>, Int, UnsafeMutablePointer<Float>) -> Void
        var candidates: CandidateBuffer
        if let graphCodes {
            let queryCodes = graphCodes.query(QuantizedRows.quantize(query).codes)
            candidates = CandidateBuffer(k: InvertedLists.candidateCount(k))
            scoreBlock = { listed, count, out in
                graphCodes.codes.withUnsafeBufferPointer {
                    kindred_graph_score_rows(
                        queryCodes, $0.baseAddress!, Int32(graphCodes.bits), graphCodes.kernelColumns,
                        graphCodes.bytesPerRow, listed, count, out)
                }
            }
        } else if let codes {
            let queryCodes = QuantizedRows.quantize(query).codes, scales = self.scales
            candidates = CandidateBuffer(k: Self.candidateCount(k))
            scoreBlock = { listed, count, out in
                codes.withUnsafeBufferPointer {
                    kindred_int8_dots_gathered(queryCodes, $0.baseAddress!, listed, count, d, out)
                }
                for j in 0..<count { out[j] *= scales[Int(listed[j])] }
            }
        } else {
            var top = TopK(k: k)
            vectors.storage.withUnsafeBufferPointer { v in
                query.withUnsafeBufferPointer { q in
                    for row in rows.lazy.map(Int.init) where !isEmptyRow[row] && !excluding(row) {
                        top.offer(index: row, score: Vector.dot(q.baseAddress!, v.baseAddress! + row * d, count: d))
                    }
                }
            }
            return top.sorted()
        }
        var scores = [Float](repeating: 0, count: Self.blockRows)
        rows.withUnsafeBufferPointer { listed in
            scores.withUnsafeMutableBufferPointer { out in
                for start in stride(from: 0, to: listed.count, by: Self.blockRows) {
                    let block = min(Self.blockRows, listed.count - start)
                    scoreBlock(listed.baseAddress! + start, block, out.baseAddress!)
                    for j in 0..<block {
                        let row = Int(listed[start + j]), score = out[j]
                        if score > candidates.threshold && !isEmptyRow[row] && !excluding(row) {
                            candidates.offer(index: row, score: score)
                        }
                    }
                }
            }
        }
        return query.withUnsafeBufferPointer { rescore(candidates.best(), query: $0.baseAddress!, k: k) }
    }
}
