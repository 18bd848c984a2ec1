import Testing
@testable import KindredEngine
@testable import KindredLinearAlgebra

@Suite("Two-stage search: int8 candidates, Float rescoring")
struct EmbeddingIndexTests {
    /// `n` unit vectors in `d` dimensions around `clusters` random centres, like articles around
    /// topics, plus one all-zero row (an article without terms).
    static func clusteredVectors(n: Int, d: Int, clusters: Int, seed: UInt64) -> DenseMatrix {
        var generator = SeededGenerator(seed: seed)
        let centres = (0..<clusters).map { _ in (0..<d).map { _ in generator.nextGaussian() } }
        var matrix = DenseMatrix(rows: n, columns: d)
        for i in 0..<(n - 1) {
            let centre = centres[Int(generator.next() % UInt64(clusters))]
            for j in 0..<d { matrix[i, j] = centre[j] + 0.8 * generator.nextGaussian() }
        }
        _ = matrix.normalizeRows()
        return matrix
    }

    static let index = EmbeddingIndex(vectors: clusteredVectors(n: 3_000, d: 64, clusters: 40, seed: 7))

    @Test("the candidate stage runs on oneDNN for an index larger than the candidates")
    func usesCandidates() {
        #expect(Self.index.candidateStage.hasPrefix("int8 oneDNN"))
        #expect(Self.index.usesCandidateStage(k: 10))
        #expect(!Self.index.usesCandidateStage(k: 3_000))
    }

    @Test("all-pairs top-10 agrees with the Float-only search, with exact Float scores")
    func allNeighborsAgree() throws {
        var exact: [[ScoredIndex]] = [], twoStage: [[ScoredIndex]] = []
        try Self.index.floatAllNeighbors(k: 10) { _, list in exact.append(list) }
        try Self.index.allNeighbors(k: 10, slice: 37) { _, list in twoStage.append(list) }
        #expect(exact.count == 3_000 && twoStage.count == 3_000)
        #expect(twoStage[2_999].isEmpty, "the all-zero row has no neighbours")
        var found = 0, total = 0
        for (row, (a, b)) in zip(exact, twoStage).enumerated() {
            total += a.count
            found += Set(a.map(\.index)).intersection(b.map(\.index)).count
            #expect(b.count == a.count)
            #expect(!b.contains { $0.index == row || $0.index == 2_999 })
            for entry in b {
                let score = zip(Self.index.vectors.row(row), Self.index.vectors.row(entry.index)).reduce(0) { $0 + $1.0 * $1.1 }
                #expect(abs(entry.score - score) < 1e-5)
            }
            #expect(zip(b, b.dropFirst()).allSatisfy { $0.score >= $1.score })
        }
        #expect(Double(found) / Double(total) >= 0.999)
    }

    @Test("a single query agrees with the Float-only search and honours exclusions")
    func searchAgrees() throws {
        var found = 0
        for row in stride(from: 0, to: 3_000, by: 97) {
            let query = Self.index.vectors.row(row)
            let exact = try Self.index.floatSearch(query, k: 20) { $0 == row || $0 % 2 == 1 }
            let twoStage = try Self.index.search(query, k: 20) { $0 == row || $0 % 2 == 1 }
            #expect(!twoStage.contains { $0.index == row || $0.index % 2 == 1 })
            found += Set(exact.map(\.index)).intersection(twoStage.map(\.index)).count
        }
        #expect(Double(found) / Double(31 * 20) >= 0.999)
    }

    @Test("a candidate buffer keeps the same best k as a full sort, ties and all")
    func candidateBuffer() {
        var generator = SeededGenerator(seed: 9)
        for k in [1, 5, 64] {
            var buffer = CandidateBuffer(k: k)
            // Scores on a coarse grid, so that ties at the cut are common.
            let scores = (0..<5_000).map { _ in Float(generator.next() % 200) }
            for (i, score) in scores.enumerated() { buffer.offer(index: i, score: score) }
            let kept = buffer.best().map { scores[$0] }.sorted(by: >)
            let expected = scores.sorted(by: >).prefix(k)
            #expect(Array(kept.prefix(k)) == Array(expected))
            #expect(kept.count >= k)
        }
    }
}
