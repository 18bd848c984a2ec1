import Foundation
import Synchronization
import Testing

@testable import KindredEngine
@testable import KindredLinearAlgebra

@Suite("Two-stage search: int8 candidates, Float rescoring", .tags(.slow))
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
        #expect(Self.index.candidateStage.hasPrefix("int8 "))
        #expect(Self.index.usesCandidateStage(k: 10))
        #expect(!Self.index.usesCandidateStage(k: 3_000))
    }

    @Test("an index kept with its codes and no product scans them and finds what the product finds")
    func codeScan() throws {
        let scanning = EmbeddingIndex(vectors: Self.index.vectors, keepingCodes: true, withProduct: false)
        #expect(scanning.candidateStage.hasPrefix("int8 scan"))
        #expect(scanning.usesCandidateStage(k: 10))
        var generator = SeededGenerator(seed: 11)
        for query in 0..<40 {
            let vector = Self.index.vectors.row(Int(generator.next() % 2_999))
            let excluded = query % 3
            let found = try scanning.search(vector, k: 10) { $0 % 3 == excluded }
            #expect(found == (try Self.index.search(vector, k: 10) { $0 % 3 == excluded }))
            #expect(found.count == 10 && !found.contains { $0.index % 3 == excluded || $0.index == 2_999 })
        }
        // Without codes as well, every search is the Float one.
        let dropped = scanning.droppingCodes()
        #expect(dropped.candidateStage.hasPrefix("Float BLAS only") && !dropped.usesCandidateStage(k: 10))
    }

    /// The ways `allNeighbors` can run its candidate stage.
    enum AllPairsPath: CustomTestStringConvertible, Sendable {
        case symmetric(tile: Int)
        case sliced
        var testDescription: String {
            switch self {
            case .symmetric(let tile): "each pair once, tiles of \(tile) rows"
            case .sliced: "every pair twice, slices of rows"
            }
        }
    }

    @Test(
        "all-pairs top-10 agrees with the Float-only search, with exact Float scores",
        // Every int8 path this machine runs; CI runs these suites again capped at AVX2.
        arguments: [AllPairsPath.symmetric(tile: 4_096), .symmetric(tile: 1_000), .symmetric(tile: 256), .sliced],
        Int8Product.exactEngines)
    func allNeighborsAgree(path: AllPairsPath, engine: Int8Engine) throws {
        let index = EmbeddingIndex(vectors: Self.index.vectors, engine: engine)
        #expect(
            index.candidateStage.hasPrefix("int8 \(engine == .oneDNN ? "oneDNN" : "kindred")"),
            "\(index.candidateStage)")
        var exact: [[ScoredIndex]] = [], twoStage: [[ScoredIndex]] = []
        try index.floatAllNeighbors(k: 10) { _, list in exact.append(list) }
        var fractions: [Double] = []
        let (method, tile): (AllPairsMethod, Int) =
            switch path {
            case .symmetric(let tile): (.eachPairOnce, tile)
            case .sliced: (.slices, 4_096)
            }
        try index.allNeighbors(k: 10, slice: 37, tile: tile, method: method, progress: { fractions.append($0) }) {
            _, list in
            twoStage.append(list)
        }
        #expect(exact.count == 3_000 && twoStage.count == 3_000)
        #expect(twoStage[2_999].isEmpty, "the all-zero row has no neighbours")
        var found = 0, total = 0
        for (row, (a, b)) in zip(exact, twoStage).enumerated() {
            total += a.count
            found += Set(a.map(\.index)).intersection(b.map(\.index)).count
            #expect(b.count == a.count)
            #expect(!b.contains { $0.index == row || $0.index == 2_999 })
            for entry in b {
                let score = zip(index.vectors.row(row), index.vectors.row(entry.index)).reduce(0) { $0 + $1.0 * $1.1 }
                #expect(abs(entry.score - score) < 1e-5)
            }
            #expect(zip(b, b.dropFirst()).allSatisfy { $0.score >= $1.score })
        }
        #expect(Double(found) / Double(total) >= 0.999)
        #expect(zip(fractions, fractions.dropFirst()).allSatisfy { $0 <= $1 } && fractions.last == 1, "\(fractions)")
    }

    @Test("each-pair-once lists are the same on every run, even where identical vectors tie at the cut")
    func symmetricIsDeterministic() throws {
        // 30 groups of 40 identical vectors: each row's top 10 is cut from a tie of 39.
        let base = Self.clusteredVectors(n: 31, d: 32, clusters: 30, seed: 21)
        var matrix = DenseMatrix(rows: 1_200, columns: 32)
        for row in 0..<1_200 {
            for j in 0..<32 { matrix[row, j] = base[row % 30, j] }
        }
        let index = EmbeddingIndex(vectors: matrix)
        var runs: [[[Int]]] = []
        for _ in 0..<4 {
            var lists: [[Int]] = []
            try index.allNeighbors(k: 10, slice: 16, tile: 64, method: .eachPairOnce) { _, list in
                lists.append(list.map(\.index))
            }
            runs.append(lists)
        }
        #expect(runs.allSatisfy { $0 == runs[0] })
        // Ties go to the lower index: row r's list is the ten lowest other rows of its group.
        for row in [0, 7, 1_199] {
            #expect(runs[0][row] == Array((0..<1_200).filter { $0 % 30 == row % 30 && $0 != row }.prefix(10)))
        }
    }

    @Test("the symmetric search's schedule hands out every pair of tiles once, never one tile to two workers")
    func tilePairSchedule() {
        for tiles in [1, 2, 7, 16] {
            let schedule = TilePairSchedule(tiles: tiles) { _ in 100 }
            let held = Mutex([Int](repeating: 0, count: tiles))
            let seen = Mutex([[Int]](repeating: [Int](repeating: 0, count: tiles), count: tiles))
            let clashes = Mutex(0)
            Parallel.forEach(4) { _ in
                while let pair = schedule.next() {
                    held.withLock { held in
                        if held[pair.first] > 0 || held[pair.second] > 0 { clashes.withLock { $0 += 1 } }
                        held[pair.first] += 1
                        if pair.second != pair.first { held[pair.second] += 1 }
                    }
                    seen.withLock { $0[pair.first][pair.second] += 1 }
                    usleep(200)
                    held.withLock { held in
                        held[pair.first] -= 1
                        if pair.second != pair.first { held[pair.second] -= 1 }
                    }
                    schedule.finish(pair) { _ in }
                }
            }
            #expect(clashes.withLock { $0 } == 0)
            let counts = seen.withLock { $0 }
            for a in 0..<tiles {
                for b in 0..<tiles { #expect(counts[a][b] == (a <= b ? 1 : 0), "tiles \(tiles): pair (\(a), \(b))") }
            }
        }
    }

    @Test(
        "a single query agrees with the Float-only search and honours exclusions", arguments: Int8Product.exactEngines)
    func searchAgrees(engine: Int8Engine) throws {
        let index = EmbeddingIndex(vectors: Self.index.vectors, engine: engine)
        var found = 0
        for row in stride(from: 0, to: 3_000, by: 97) {
            let query = index.vectors.row(row)
            let exact = try index.floatSearch(query, k: 20) { $0 == row || $0 % 2 == 1 }
            let twoStage = try index.search(query, k: 20) { $0 == row || $0 % 2 == 1 }
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

    @Test("a candidate table keeps, for every row, the best k by score then lower index, whatever the order of offers")
    func candidateTable() {
        var generator = SeededGenerator(seed: 11)
        for k in [1, 5, 64] {
            // Scores on a coarse grid, so that ties at the cut are common.
            let scores = (0..<2).map { _ in (0..<5_000).map { _ in Float(generator.next() % 200) } }
            var kept: [[Set<Int>]] = []
            for order in [Array(0..<5_000), Array((0..<5_000).reversed()), (0..<5_000).map { ($0 * 7_919) % 5_000 }] {
                let table = CandidateTable(rows: 3, k: k)
                table.thresholds[2] = .infinity  // a row that takes nothing
                // Rows interleaved, as the symmetric search offers them.
                for i in order {
                    for row in 0..<3 { table.offer(row: row, index: i, score: scores[min(row, 1)][i]) }
                }
                #expect(table.best(row: 2).isEmpty)
                kept.append((0..<2).map { Set(table.best(row: $0)) })
            }
            for row in 0..<2 {
                let expected = (0..<5_000).sorted { (scores[row][$0], -$0) > (scores[row][$1], -$1) }.prefix(k)
                for run in kept { #expect(run[row] == Set(expected), "k \(k), row \(row)") }
            }
        }
    }

    @Test("every scan kernel this CPU runs finds the same hits with the same scores as the baseline")
    func scanKernels() throws {
        var generator = SeededGenerator(seed: 13)
        let scan = ScoreScan(capacity: 1_000), reference = ScoreScan(capacity: 1_000)
        var ran = 0
        for count in [0, 1, 15, 16, 17, 1_000] {
            let dots = (0..<count).map { _ in Float(Int(generator.next() % 2_001) - 1_000) }
            let scales = (0..<count).map { _ in Float(generator.next() % 1_000) / 1e5 }
            let limits = (0..<count).map { _ in Float(Int(generator.next() % 200) - 100) / 100 }
            for withLimits in [false, true] {
                func hits(_ scan: ScoreScan, _ kernel: ScoreScan.Kernel) -> ([UInt32], [Float], [UInt32], [Float])? {
                    limits.withUnsafeBufferPointer { l in
                        guard
                            let found = scan.scan(
                                dots: dots, scales: scales, queryScale: 0.7, rowLimit: 0.5,
                                columnLimits: withLimits ? l.baseAddress : nil, count: count, kernel: kernel)
                        else { return nil }
                        return (
                            Array(scan.rowHits.prefix(found.rows)), Array(scan.rowScores.prefix(found.rows)),
                            Array(scan.columnHits.prefix(found.columns)), Array(scan.columnScores.prefix(found.columns))
                        )
                    }
                }
                let expected = try #require(hits(reference, .baseline))
                let brute = (0..<count).filter { dots[$0] * scales[$0] * 0.7 >= 0.5 }
                #expect(expected.0.map(Int.init) == brute)
                if withLimits {
                    #expect(
                        expected.2.map(Int.init) == (0..<count).filter { dots[$0] * scales[$0] * 0.7 >= limits[$0] })
                }
                for kernel in ScoreScan.Kernel.allCases {
                    guard let found = hits(scan, kernel) else { continue }
                    ran += 1
                    #expect(found.0 == expected.0 && found.1 == expected.1, "\(kernel), \(count) scores")
                    #expect(found.2 == expected.2 && found.3 == expected.3, "\(kernel), \(count) scores")
                }
            }
        }
        #expect(ran >= 12, "the baseline kernel always runs")
    }
}

@Suite("Term keys")
struct TermKeyTests {
    @Test("ASCII terms are keys by their bytes, others by canonical equivalence, in a dictionary as in ==")
    func keys() {
        var table: [TermKey: Int] = [:]
        let terms = [
            "red", "red dot", "a-much-longer-phrase with spaces", "caf\u{E9}", "cafe\u{301}", "17 ultra", "", "x",
        ]
        for (i, term) in terms.enumerated() where table[TermKey(term)] == nil { table[TermKey(term)] = i }
        // The two spellings of café are one key; every other term its own.
        #expect(table.count == terms.count - 1)
        #expect(table[TermKey("cafe\u{301}")] == 3)
        #expect(table[TermKey("red")] == 0 && table[TermKey("red dot")] == 1 && table[TermKey("")] == 6)
        #expect(table[TermKey("reD")] == nil && table[TermKey("red ")] == nil)
        // Equal keys hash alike under any seed; different ASCII keys rarely collide.
        for term in terms {
            #expect(TermKey(term)._rawHashValue(seed: 42) == TermKey(String(term))._rawHashValue(seed: 42))
        }
        let hashes = Set((0..<10_000).map { TermKey("term\($0)")._rawHashValue(seed: 7) })
        #expect(hashes.count == 10_000)
    }
}
