import CKindredKernels
import Testing

@testable import KindredLinearAlgebra

/// `kindred_graph_search`, `kindred_graph_score_rows` and `kindred_graph_prune` (the approximate
/// index's graph), on every kernel this machine runs within the environment's ISA cap (CI runs
/// these uncapped and capped at AVX2).
@Suite("graph search and pruning kernels")
struct GraphSearchKernelTests {
    /// Unit rows of `columns` Gaussian values quantised to int8, and their scales.
    func codes(rows: Int, columns: Int, seed: UInt64) -> (DenseMatrix, QuantizedRows) {
        var generator = SeededGenerator(seed: seed)
        var matrix = DenseMatrix(rows: rows, columns: columns)
        for i in 0..<rows {
            var norm: Float = 0
            for j in 0..<columns {
                matrix[i, j] = generator.nextGaussian()
                norm += matrix[i, j] * matrix[i, j]
            }
            for j in 0..<columns { matrix[i, j] /= norm.squareRoot() }
        }
        return (matrix, QuantizedRows(matrix))
    }

    /// Each row linked to the rows `±1, ±2, ±7` away in a ring: connected, with short and
    /// longer hops, and no relation to the vectors.
    func ring(rows: Int, degree: Int = 6) -> [Int32] {
        var adjacency = [Int32](repeating: -1, count: rows * degree)
        for i in 0..<rows {
            for (slot, step) in [1, -1, 2, -2, 7, -7].prefix(degree).enumerated() {
                adjacency[i * degree + slot] = Int32((i + step + rows) % rows)
            }
        }
        return adjacency
    }

    /// The rows a walk scores, quantised from `matrix` to codes of `bits` bits.
    func walked(_ matrix: DenseMatrix, bits: Int) -> ScaledCodeRows {
        matrix.storage.withUnsafeBufferPointer { m in
            ScaledCodeRows(rows: matrix.rows, columns: matrix.columns, bits: bits) {
                m.baseAddress! + $0 * matrix.columns
            }
        }
    }

    /// Row `row`'s int8 codes as a walk's query.
    func query(_ codes: QuantizedRows, row: Int, rows: ScaledCodeRows) -> [Int8] {
        rows.query(Array(codes.codes[(row * codes.columns)..<((row + 1) * codes.columns)]))
    }

    /// The walk's score of `row`, computed here from the codes: Σ query · code times the scale.
    func score(_ query: [Int8], _ rows: ScaledCodeRows, row: Int) -> Float {
        var dot: Int32 = 0
        for c in 0..<rows.columns { dot += Int32(query[c]) * Int32(rows.code(row: row, column: c)) }
        return Float(dot) * rows.scale(row: row)
    }

    func search(
        kernel: Int, query: [Int8], rows: ScaledCodeRows, adjacency: [Int32], degree: Int, entries: [Int32], beam: Int,
        maxVisits: Int = 100_000, heldOut: Int32 = -1
    ) -> [(row: Int32, score: Float)]? {
        var found = [Int32](repeating: -7, count: beam), scores = [Float](repeating: 0, count: beam)
        var count = 0
        let ran = kindred_graph_search_with(
            Int32(kernel), query, rows.codes, Int32(rows.bits), rows.kernelColumns, rows.bytesPerRow, adjacency, degree,
            entries, entries.count, heldOut, beam, maxVisits, &found, &scores, &count)
        guard ran == 1 else { return nil }
        return (0..<count).map { (found[$0], scores[$0]) }
    }

    @Test(
        "a beam as wide as a connected graph finds every row, best first, with its score, and goes round a held-out one",
        arguments: [0, 1], [4, 8])
    func wholeGraph(kernel: Int, bits: Int) throws {
        let (matrix, codes) = codes(rows: 300, columns: 72, seed: 3)
        let rows = walked(matrix, bits: bits)
        let query = query(codes, row: 41, rows: rows)
        guard
            let found = search(
                kernel: kernel, query: query, rows: rows, adjacency: ring(rows: 300), degree: 6, entries: [200],
                beam: 300)
        else { return }  // This CPU can't run the kernel.
        #expect(found.count == 300)
        #expect(Set(found.map(\.row)).count == 300)
        // The query is row 41's codes: itself first, each row with its integer dot times its scale.
        #expect(found[0].row == 41)
        for (position, entry) in found.enumerated() {
            #expect(entry.score == score(query, rows, row: Int(entry.row)))
            if position > 0 { #expect(found[position - 1].score >= entry.score) }
        }
        // Row 41 held out: never scored nor passed through; the ring's longer links go round it.
        let around = try #require(
            search(
                kernel: kernel, query: query, rows: rows, adjacency: ring(rows: 300), degree: 6, entries: [200],
                beam: 300, heldOut: 41))
        #expect(around.map(\.row) == found.dropFirst().map(\.row))
        // Held out as the only entry: nothing to start from.
        let blocked = try #require(
            search(
                kernel: kernel, query: query, rows: rows, adjacency: ring(rows: 300), degree: 6, entries: [41],
                beam: 300, heldOut: 41))
        #expect(blocked.isEmpty)
    }

    @Test("every kernel walks the same way; the visit bound and padding are kept", arguments: [1], [4, 8])
    func kernelsAgree(kernel: Int, bits: Int) throws {
        let (matrix, codes) = codes(rows: 2_000, columns: 256, seed: 5)
        let rows = walked(matrix, bits: bits)
        var adjacency = ring(rows: 2_000)
        // Row 5 lists two neighbours, then padding.
        for slot in 2..<6 { adjacency[5 * 6 + slot] = -1 }
        let query = query(codes, row: 1_500, rows: rows)
        let reference = try #require(
            search(kernel: 0, query: query, rows: rows, adjacency: adjacency, degree: 6, entries: [0, 999], beam: 20))
        guard
            let other = search(
                kernel: kernel, query: query, rows: rows, adjacency: adjacency, degree: 6, entries: [0, 999], beam: 20)
        else { return }
        #expect(other.map(\.row) == reference.map(\.row))
        #expect(other.map(\.score) == reference.map(\.score))
        // One row scored: the entry alone, whatever the beam.
        let bounded = try #require(
            search(
                kernel: 0, query: query, rows: rows, adjacency: adjacency, degree: 6, entries: [0], beam: 20,
                maxVisits: 1))
        #expect(bounded.map(\.row) == [0])
        // Seven rows scored: the entry and its six neighbours.
        let seven = try #require(
            search(
                kernel: 0, query: query, rows: rows, adjacency: adjacency, degree: 6, entries: [0], beam: 20,
                maxVisits: 7))
        #expect(Set(seven.map(\.row)) == [0, 1, 1_999, 2, 1_998, 7, 1_993])
    }

    @Test("the visited table grows past its first size without losing a row", arguments: [0, 1])
    func visitedTableGrows(kernel: Int) throws {
        // Every row an entry: the search scores all 3,000, far past the first table's 512 marks.
        let (matrix, codes) = codes(rows: 3_000, columns: 64, seed: 11)
        let rows = walked(matrix, bits: 8)
        let entries = (0..<3_000).map(Int32.init)
        // The query is the row entered as the table fills: it must come first.
        for row in [511, 512, 513, 1_024, 2_999] {
            guard
                let found = search(
                    kernel: kernel, query: query(codes, row: row, rows: rows), rows: rows,
                    adjacency: ring(rows: 3_000), degree: 6, entries: entries, beam: 10)
            else { return }
            #expect(found.count == 10)
            #expect(found.first?.row == Int32(row))
        }
    }

    @Test("listed rows score as the walk scores them, on every kernel", arguments: [0, 1], [4, 8])
    func scoredRows(kernel: Int, bits: Int) throws {
        // 4 bits: 320 dimensions are five runs of 64, past the four a 16-bit sum holds before
        // widening. 8 bits: 317, which the AVX2 kernel ends one by one.
        let (matrix, codes) = codes(rows: 500, columns: bits == 4 ? 320 : 317, seed: 13)
        let rows = walked(matrix, bits: bits)
        let query = query(codes, row: 17, rows: rows)
        let listed: [Int32] = [17, 0, 499, 250, 250, 3] + (100..<140).map(Int32.init)
        var out = [Float](repeating: .nan, count: listed.count)
        let ran = kindred_graph_score_rows_with(
            Int32(kernel), query, rows.codes, Int32(rows.bits), rows.kernelColumns, rows.bytesPerRow, listed,
            listed.count, &out)
        guard ran == 1 else { return }
        #expect(out == listed.map { score(query, rows, row: Int($0)) })
        // Gaussian rows of 320 dimensions are nearly orthogonal: the query's own row scores highest.
        #expect(out[0] == out.max())
    }

    @Test("pruning keeps a candidate unless a kept one is nearer to it than the row, by the factor")
    func prune() throws {
        let (_, codes) = codes(rows: 400, columns: 64, seed: 9)
        let row = 0
        // Candidates: every other row, best first by the int8 cosine the kernel computes.
        func cosine(_ a: Int, _ b: Int) -> Float {
            var dot: Int32 = 0
            for c in 0..<64 { dot += Int32(codes.codes[a * 64 + c]) * Int32(codes.codes[b * 64 + c]) }
            return Float(dot) * codes.scales[a] * codes.scales[b]
        }
        let candidates = (1..<400).sorted { cosine(row, $0) > cosine(row, $1) }.map(Int32.init)
        let scores = candidates.map { cosine(row, Int($0)) }
        for alpha: Float in [1, 1.2] {
            var kept = [Int32](repeating: -1, count: 16)
            let count = kindred_graph_prune(
                Int32(row), candidates, scores, candidates.count, codes.codes, codes.scales, 64, alpha, 16, &kept)
            #expect(count >= 1 && count <= 16)
            // The nearest always stays; the rule holds between every kept pair, in order.
            #expect(kept[0] == candidates[0])
            for i in 0..<count {
                for j in 0..<i {
                    let between = 2 - 2 * cosine(Int(kept[j]), Int(kept[i]))
                    #expect(alpha * alpha * between > 2 - 2 * cosine(row, Int(kept[i])))
                }
            }
        }
        var none = [Int32](repeating: -1, count: 4)
        #expect(kindred_graph_prune(0, [0], [1], 1, codes.codes, codes.scales, 64, 1.2, 4, &none) == 0)
    }
}
