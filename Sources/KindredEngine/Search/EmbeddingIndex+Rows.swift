import CKindredKernels
import KindredLinearAlgebra

/// Searches among a filter's own rows (a section's, a language's, a date range's), scored one by
/// one, for filters that leave too few articles for the usual path to pay.
///
/// The usual path ranks everything and drops what the filter refuses. A graph walk keeps its
/// beam's best rows whatever the filter: when a filter admits fewer than one row in
/// `beam / (2k)`, the beam holds too few admitted ones, and the lists then answer by probing
/// until they hold enough, which for a narrow section reads most of the archive: at a million
/// articles such searches made a by-id load's 99th percentile (docs/performance.md, *Filters*).
/// Scoring the filter's rows alone
/// reads only theirs, and is exact. Weaviate (its flat-search cutoff) and Qdrant (its query
/// planner) likewise scan the points of a filter that matches few; here the rows of each section
/// and language are kept beside the model's metadata (`ArticleLookups`).
extension EmbeddingIndex {
    /// About how many rows scored alone cost as much as one row of a walk's beam, as measured on
    /// the million of docs/performance.md (*Filters*).
    static let walkCostPerBeamRow = 32

    /// Whether a search for `k` rows among `rows` of this index's articles is cheaper scoring those
    /// rows alone than through the usual path.
    ///
    /// - A graph search answers from the admitted rows of its beam, widened for a filter until
    ///   they are `2k` on average (`GraphWalk.beam(forFiltered:of:k:)`: `2k·n / rows`). Scoring the rows alone costs
    ///   `rows` reads of a walk's rows; the widened walk about `walkCostPerBeamRow` of them per row
    ///   of its beam. So the rows are scored alone below `√(walkCostPerBeamRow · 2k·n)` of them:
    ///   43,800 at a million articles and a depth of 30, whatever the calibrated beam.
    /// - Lists answer from the probed lists' admitted rows: when those are expected to hold fewer
    ///   than twice the candidates a search keeps, the rows are scored instead.
    /// - An exact scan reads every row's int8 codes in order; a row scored alone costs its
    ///   `Float` vector (four times the bytes) read from anywhere, so only a sixteenth of the
    ///   archive or less is scored alone.
    func scoresRowsAlone(_ rows: Int, k: Int, exact: Bool) -> Bool {
        let n = count
        guard rows < n else { return false }
        if let lists, !exact {
            if graph != nil {
                return rows * rows < Self.walkCostPerBeamRow * 2 * k * n
            }
            return rows * lists.probes < 2 * lists.candidateCount(k) * lists.index.lists
        }
        return rows * 16 <= n
    }

    /// The `k` rows of `rows` most similar to a unit-length `query`, best first, for rows
    /// `admits` takes: every listed row scored. A strategy holding codes by article row scores
    /// them (the graph's rows, scales inline; a build's exact int8 codes) and its candidates are
    /// rescored in `Float`, as its own search's are; otherwise each row's `Float` vector is scored
    /// directly. Either way the answer is the exact one among the rows, to the candidate stage's
    /// margin.
    ///
    /// - Complexity: O(|rows| · d), reads scattered by row (prefetched ahead in the kernels).
    func search(
        _ query: SearchQuery, k: Int, amongRows rows: ArraySlice<Int32>, admits: (Int) -> Bool
    ) -> [ScoredIndex] {
        let strategy: (any CandidateSearch)? = graph ?? exact
        if let found = strategy?.candidates(for: query, k: k, amongRows: rows, admits: admits) {
            return rescore(found, query: query, k: k)
        }
        let d = dimensions
        var top = TopK(k: k)
        vectors.storage.withUnsafeBufferPointer { v in
            query.vector.withUnsafeBufferPointer { q in
                for row in rows.lazy.map(Int.init) where admits(row) {
                    top.offer(index: row, score: Vector.dot(q.baseAddress!, v.baseAddress! + row * d, count: d))
                }
            }
        }
        return top.sorted()
    }
}
