import CKindredKernels
import KindredLinearAlgebra

/// The graph strategy: a best-first walk of the approximate index's `NeighborGraph` over the
/// articles' codes in row order (`ScaledCodeRows`: int8, or 4-bit at 128 dimensions and fewer,
/// their scales inline), keeping the `beam` best rows it reaches.
///
/// The walk keeps its beam's best rows whatever a filter admits, so a filter that admits few
/// articles leaves few admitted rows in it: `candidates` then gives up (nil), and the search asks
/// the filter's own rows or the lists instead. The codes in row order also score a filter's rows
/// alone (`kindred_graph_score_rows`).
struct GraphWalk: CandidateSearch {
    let graph: NeighborGraph
    let rows: ScaledCodeRows
    /// The rows the walk keeps: at least the `k` asked for.
    private(set) var beam: Int

    init(graph: NeighborGraph, vectors: DenseMatrix, beam: Int) {
        let d = vectors.columns
        self.graph = graph
        self.rows = vectors.storage.withUnsafeBufferPointer { v in
            ScaledCodeRows(rows: vectors.rows, columns: d) { v.baseAddress! + $0 * d }
        }
        self.beam = min(NeighborGraph.widestBeam, max(1, beam))
    }

    var caption: String { "graph of degree \(graph.degree), beam \(beam), int\(rows.bits) \(NeighborGraph.kernel)" }

    /// The walk's rows are as coarse as the lists' scan at 4 bits: the same margin is rescored.
    func candidateCount(_ k: Int) -> Int { ListScan.candidateCount(k) }

    /// This walk keeping `beam` rows (at most `NeighborGraph.widestBeam`).
    func walking(beam: Int) -> GraphWalk {
        var walk = self
        walk.beam = min(NeighborGraph.widestBeam, max(1, beam))
        return walk
    }

    /// The beam a walk keeps for a search among `filtered` rows of `articles` (nil: no filter's
    /// rows known): wide enough to hold `2k` admitted rows on average, at least `beam`, at most
    /// `NeighborGraph.widestBeam`.
    func beam(forFiltered filtered: Int?, of articles: Int, k: Int) -> Int {
        guard let filtered, filtered < articles else { return beam }
        return min(NeighborGraph.widestBeam, max(beam, 2 * k * articles / max(filtered, 1)))
    }

    func candidates(for query: SearchQuery, k: Int, admits: (Int) -> Bool) -> [Int]? {
        let found = graph.search(
            query: rows.query(query.codes), rows: rows, beam: max(beam, k), heldOut: query.heldOut)
        let admitted = found.lazy.map(\.index).filter(admits)
        // The beam is best first by the walk's score: its first admitted rows are the candidates.
        let candidates = Array(admitted.prefix(candidateCount(k)))
        return candidates.count >= k ? candidates : nil
    }

    func candidates(for query: SearchQuery, k: Int, amongRows listed: ArraySlice<Int32>, admits: (Int) -> Bool)
        -> [Int]?
    {
        let queryCodes = rows.query(query.codes), rows = self.rows
        var candidates = CandidateBuffer(k: candidateCount(k))
        RowBlocks.score(listed, into: &candidates, admits: admits) { listed, count, out in
            rows.codes.withUnsafeBufferPointer {
                kindred_graph_score_rows(
                    queryCodes, $0.baseAddress!, Int32(rows.bits), rows.kernelColumns, rows.bytesPerRow, listed,
                    count, out)
            }
        }
        return candidates.best()
    }
}
