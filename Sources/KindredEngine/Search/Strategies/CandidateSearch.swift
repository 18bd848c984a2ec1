import KindredLinearAlgebra

/// One way of finding the rows of a set of unit vectors nearest a query: the candidate stage of
/// a search, whose candidates `EmbeddingIndex` then rescores by exact `Float` cosine.
///
/// Three strategies, each holding the codes it reads: `ExactScan` scores every row with int8
/// codes, `ListScan` the rows of the probed lists of the approximate index with 4-bit ones,
/// `GraphWalk` the rows its walk over the neighbour graph reaches. `EmbeddingIndex` chooses among
/// them for each search (a filter's own rows, the graph, the lists, every row), so any set of
/// unit vectors, the LSA ones or a sentence encoder's, gets exact and approximate search alike.
protocol CandidateSearch: Sendable {
    /// What it runs on and why, for `inspect` and the server's log.
    var caption: String { get }

    /// How many candidates it keeps for a top `k`: its scores are coarser than `Float`, so rows
    /// just below the cut are rescored too.
    func candidateCount(_ k: Int) -> Int

    /// The rows nearest `query` that `admits` accepts, at most `candidateCount(k)`, in no
    /// particular order; nil when this strategy cannot answer this search (a walk whose beam
    /// held fewer than `k` admitted rows).
    func candidates(for query: SearchQuery, k: Int, admits: (Int) -> Bool) throws -> [Int]?

    /// The same among `rows` alone (a filter's rows), each scored; nil when this strategy holds
    /// no codes by article row, and the caller scores the rows' `Float` vectors instead.
    func candidates(for query: SearchQuery, k: Int, amongRows rows: ArraySlice<Int32>, admits: (Int) -> Bool)
        -> [Int]?
}

extension CandidateSearch {
    func candidates(for query: SearchQuery, k: Int, amongRows rows: ArraySlice<Int32>, admits: (Int) -> Bool)
        -> [Int]?
    { nil }
}

/// A query as the strategies read it: its `Float` vector, which candidates are rescored against,
/// and its int8 codes (`QuantizedRows.quantize`), which every candidate stage scores with.
struct SearchQuery {
    let vector: [Float]
    let codes: [Int8]
    /// A row a graph walk does not pass through (`NeighborGraph.search`): an article searched as a
    /// draft of its text would be, for measuring recall.
    let heldOut: Int?

    init(_ vector: [Float], heldOut: Int? = nil) {
        self.vector = vector
        self.codes = QuantizedRows.quantize(vector).codes
        self.heldOut = heldOut
    }
}
