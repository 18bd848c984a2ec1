import Testing

@testable import KindredEngine
@testable import KindredLinearAlgebra

/// The search seam on vectors that are not LSA's: a sentence encoder's 384 dimensions get the
/// same exact and approximate search (`CandidateSearch`'s three strategies) from `EmbeddingIndex`.
@Suite("Search on any unit vectors", .tags(.slow))
struct AnyVectorsSearchTests {
    static let vectors = EmbeddingIndexTests.clusteredVectors(n: 6_000, d: 384, clusters: 60, seed: 384)
    static let exact = EmbeddingIndex(vectors: vectors, keepingCodes: true)

    /// The approximate index of `vectors` as a build makes it: lists, graph, calibration.
    static let approximate: ApproximateIndex = {
        let lists = InvertedFileIndex.train(vectors: vectors, isEmptyRow: exact.isEmptyRow, seed: 11)
        let graph = exact.graph(over: lists, seed: 11, nearest: nil)
        return try! exact.calibrating(lists, graph: graph, seed: 11, depth: 10) { _, found in found }
    }()

    @Test("384-d vectors are calibrated, searched through the graph and the lists, and agree with exact search")
    func approximateSearch() throws {
        #expect(Self.approximate.problem(articles: 6_000, dimensions: 384) == nil)
        #expect(Self.approximate.searchesGraph)
        let index = EmbeddingIndex(
            vectors: Self.vectors, approximateIndex: Self.approximate, search: SearchSettings(mode: .approximate))
        #expect(index.searchesApproximately && index.searchesGraph)
        #expect(index.candidateStage.hasPrefix("approximate: ") && index.candidateStage.contains("graph of degree"))
        var found = 0, foundByLists = 0, wanted = 0
        for row in stride(from: 1, to: 6_000, by: 29) where !index.isEmptyRow[row] {
            // A query near an article but not one: a draft, as the encoder's search sees them.
            var query = Self.vectors.row(row)
            for j in stride(from: 0, to: 384, by: 7) { query[j] *= 0.5 }
            let norm = Vector.norm(query)
            query = query.map { $0 / norm }
            let truth = Set(try index.search(query, k: 10, exact: true).map(\.index))
            #expect(Set(try Self.exact.search(query, k: 10).map(\.index)) == truth)
            found += try index.search(query, k: 10).filter { truth.contains($0.index) }.count
            foundByLists += try index.search(query, k: 10, probes: Self.approximate.probes.value)
                .filter { truth.contains($0.index) }.count
            wanted += truth.count
        }
        #expect(Double(found) / Double(wanted) >= 0.95)
        #expect(Double(foundByLists) / Double(wanted) >= 0.95)
    }

    @Test("a filter's rows alone answer exactly on 384-d vectors, through the graph's codes")
    func filteredRows() throws {
        let index = EmbeddingIndex(
            vectors: Self.vectors, approximateIndex: Self.approximate, search: SearchSettings(mode: .approximate))
        let rows = stride(from: 0, to: 6_000, by: 50).map(Int32.init)
        let query = Self.vectors.row(3)
        let allowed = Set(rows.map(Int.init))
        let found = try index.search(query, k: 5, amongRows: rows[...]) { !allowed.contains($0) }
        let truth = try Self.exact.floatSearch(query, k: 5) { !allowed.contains($0) }
        #expect(found.map(\.index) == truth.map(\.index))
    }
}
