import CKindredKernels
import Foundation
import Testing

@testable import KindredLinearAlgebra

@Suite("CSR matrix")
struct CSRMatrixTests {
    @Test("rejects inconsistent arrays with a reason")
    func validation() {
        #expect(throws: LinearAlgebraError.self) {
            try CSRMatrix(rows: 1, columns: 2, rowOffsets: [0, 1], columnIndices: [2], values: [1])
        }
        #expect(throws: LinearAlgebraError.self) {
            try CSRMatrix(rows: 1, columns: 3, rowOffsets: [0, 2], columnIndices: [1, 0], values: [1, 1])
        }
        #expect(throws: LinearAlgebraError.self) {
            try CSRMatrix(rows: 2, columns: 3, rowOffsets: [0, 1], columnIndices: [0], values: [1])
        }
    }

    @Test("transpose matches the dense transpose")
    func transpose() throws {
        let m = try randomSparse(rows: 13, columns: 7, density: 0.3, seed: 1)
        #expect(m.transposed().toDense() == m.toDense().transposed())
        #expect(m.transposed().transposed() == m)
    }

    @Test(
        "sparse × dense matches BLAS on the dense copy, at widths inside, at and past the kernels' register blocks",
        arguments: [1, 9, 16, 17, 96, 100, 256, 272, 300])
    func multiply(width: Int) throws {
        let a = try randomSparse(rows: 50, columns: 30, density: 0.2, seed: 2)
        var generator = SeededGenerator(seed: 3)
        let x = generator.gaussianMatrix(rows: 30, columns: width)
        let sparse = try a.multiply(x)
        let dense = try BLAS.multiply(a.toDense(), x)
        #expect(maxDifference(sparse, dense) < 1e-4)
    }

    /// Whether the CPU has the vector instructions of at least one kernel (x86-64 with AVX2), and
    /// the environment's cap allows them: `KINDRED_MAX_CPU_ISA`, else `ONEDNN_MAX_CPU_ISA`, read as
    /// `CKindredKernels/Dispatch.h` reads it (AVX2…, AVX512… or ALL allow a vector kernel).
    var canRunVectorKernels: Bool {
        #if arch(x86_64)
            let environment = ProcessInfo.processInfo.environment
            let cap = [environment["KINDRED_MAX_CPU_ISA"], environment["ONEDNN_MAX_CPU_ISA"]]
                .compactMap { $0 }.first { !$0.isEmpty }?.uppercased()
            if let cap, !cap.hasPrefix("AVX2"), !cap.hasPrefix("AVX512"), cap != "ALL" { return false }
            let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
            return cpuinfo.contains(" avx2") && cpuinfo.contains(" fma")
        #else
            return false
        #endif
    }

    /// Runs `call(kernel, a's row offsets as Int64, output)` on the baseline and on each vector
    /// kernel (1 AVX2, 2 AVX-512), into `count` NaNs each time; `call` returns the `_with` function's 1 (ran) or 0 (this CPU
    /// can't). Every kernel that ran must agree with the baseline, which must write every element.
    func expectKernelsAgree(
        of a: CSRMatrix, count: Int, _ call: (Int32, UnsafePointer<Int64>, UnsafeMutablePointer<Float>) -> Int32
    ) throws {
        func run(_ kernel: Int32) -> [Float]? {
            var y = [Float](repeating: .nan, count: count)
            let ran = a.rowOffsets.withUnsafeBufferPointer { offsets in
                // Row offsets are `Int`, which is 64 bits on every platform Kindred builds for.
                let starts = UnsafeRawPointer(offsets.baseAddress!).assumingMemoryBound(to: Int64.self)
                return y.withUnsafeMutableBufferPointer { call(kernel, starts, $0.baseAddress!) }
            }
            return ran == 1 ? y : nil
        }
        let baseline = try #require(run(0))
        var ran = 0
        for kernel: Int32 in [1, 2] {
            guard let y = run(kernel) else { continue }
            ran += 1
            #expect(zip(y, baseline).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) }, "kernel \(kernel)")
        }
        #expect(baseline.allSatisfy { $0.isFinite }, "every element written")
        #expect(ran >= 1 || !canRunVectorKernels, "this x86-64 CPU has AVX2 or AVX-512 but no vector kernel ran")
    }

    @Test("every sparse × dense kernel this CPU runs agrees with the baseline", arguments: [7, 96, 272, 300])
    func kernels(width: Int) throws {
        let a = try randomSparse(rows: 40, columns: 25, density: 0.3, seed: 6)
        var generator = SeededGenerator(seed: 7)
        let x = generator.gaussianMatrix(rows: 25, columns: width)
        try expectKernelsAgree(of: a, count: 40 * width) { kernel, offsets, out in
            kindred_csr_times_dense_with(kernel, offsets, a.columnIndices, a.values, 0, 40, x.storage, width, out)
        }
    }

    @Test(
        "Aᵀ·X without the transposed copy equals the copy's product bit for bit, at any thread count",
        arguments: [1, 16, 17, 96, 272, 300])
    func transposedProduct(width: Int) throws {
        // Empty rows and columns, and a column every row holds: every path of the range search.
        var a = try randomSparse(rows: 120, columns: 45, density: 0.15, seed: 8)
        var offsets = [0], indices: [Int32] = [], values: [Float] = []
        for i in 0..<a.rows where i % 7 != 3 {
            let row = a.rowOffsets[i]..<a.rowOffsets[i + 1]
            var entries = Dictionary(uniqueKeysWithValues: row.map { (a.columnIndices[$0], a.values[$0]) })
            entries[44] = Float(i) / 10 - 3
            entries[20] = nil
            for (column, value) in entries.sorted(by: { $0.key < $1.key }) {
                indices.append(column)
                values.append(value)
            }
            offsets.append(indices.count)
        }
        a = try CSRMatrix(
            rows: offsets.count - 1, columns: 45, rowOffsets: offsets, columnIndices: indices, values: values)
        var generator = SeededGenerator(seed: 9)
        let x = generator.gaussianMatrix(rows: a.rows, columns: width)
        let copied = try a.transposed().multiply(x)
        for threads in [1, 2, 5, 64] {
            #expect(try a.multiplyTransposed(x, threads: threads) == copied, "\(threads) threads")
        }
        #expect((0..<width).allSatisfy { copied.storage[20 * width + $0] == 0 }, "an empty column gives a zero row")
        var reused = DenseMatrix(
            rows: a.columns, columns: width, storage: [Float](repeating: .nan, count: a.columns * width))
        try a.multiplyTransposed(x, into: &reused)
        #expect(reused == copied)
        #expect(throws: LinearAlgebraError.self) {
            try a.multiplyTransposed(generator.gaussianMatrix(rows: 3, columns: 2))
        }
    }

    @Test("Aᵀ·diag(s)·X with row scales equals the product of the rows scaled first, bit for bit")
    func rowScaledTransposedProduct() throws {
        let a = try randomSparse(rows: 60, columns: 30, density: 0.2, seed: 11)
        var generator = SeededGenerator(seed: 12)
        let x = generator.gaussianMatrix(rows: 60, columns: 33)
        // A zero scale (an article without terms) and negative ones among them.
        let scales = (0..<60).map { $0 == 5 ? 0 : Float($0 % 9) / 4 - 0.75 }
        var scaledValues = a.values
        for i in 0..<a.rows {
            for p in a.rowOffsets[i]..<a.rowOffsets[i + 1] { scaledValues[p] *= scales[i] }
        }
        let scaled = try CSRMatrix(
            rows: a.rows, columns: a.columns, rowOffsets: a.rowOffsets, columnIndices: a.columnIndices,
            values: scaledValues)
        let expected = try scaled.multiplyTransposed(x)
        for threads in [1, 3] {
            var y = DenseMatrix(rows: 0, columns: 0)
            try a.multiplyTransposed(x, rowScales: scales, into: &y, threads: threads)
            #expect(y == expected, "\(threads) threads")
        }
        var y = DenseMatrix(rows: 0, columns: 0)
        #expect(throws: LinearAlgebraError.self) { try a.multiplyTransposed(x, rowScales: [1, 2], into: &y) }
    }

    @Test(
        "every transposed-product kernel this CPU runs agrees with the baseline, with and without row scales",
        arguments: [7, 96, 272, 300], [false, true])
    func transposedKernels(width: Int, scaled: Bool) throws {
        let a = try randomSparse(rows: 40, columns: 25, density: 0.3, seed: 6)
        var generator = SeededGenerator(seed: 7)
        let x = generator.gaussianMatrix(rows: 40, columns: width)
        let scales = scaled ? (0..<40).map { Float($0 % 5) - 1.5 } : nil
        try expectKernelsAgree(of: a, count: 25 * width) { kernel, offsets, out in
            kindred_csr_transposed_times_dense_with(
                kernel, offsets, a.columnIndices, a.values, scales, 40, x.storage, width, out, 0, 25)
        }
    }

    @Test("the product does not depend on the thread count")
    func deterministic() throws {
        let a = try randomSparse(rows: 200, columns: 80, density: 0.1, seed: 4)
        var generator = SeededGenerator(seed: 5)
        let x = generator.gaussianMatrix(rows: 80, columns: 16)
        #expect(try a.multiply(x, threads: 1) == a.multiply(x, threads: 7))
    }

    @Test("rows of every length, written into a reused buffer, match the dense product")
    func rowLengths() throws {
        // Row i holds i entries (0 to 9): every path of the four-at-a-time kernel.
        var offsets = [0], indices: [Int32] = [], values: [Float] = []
        for i in 0..<10 {
            for j in 0..<i {
                indices.append(Int32(j * 2))
                values.append(Float(i) - Float(j) / 3)
            }
            offsets.append(indices.count)
        }
        let a = try CSRMatrix(rows: 10, columns: 20, rowOffsets: offsets, columnIndices: indices, values: values)
        var generator = SeededGenerator(seed: 8)
        let x = generator.gaussianMatrix(rows: 20, columns: 7)
        let dense = try BLAS.multiply(a.toDense(), x)
        var reused = DenseMatrix(rows: 10, columns: 7, storage: [Float](repeating: .nan, count: 70))
        try a.multiply(x, into: &reused)
        #expect(maxDifference(reused, dense) < 1e-4)
        var misshapen = DenseMatrix(rows: 3, columns: 3)
        try a.multiply(x, into: &misshapen)
        #expect(misshapen.rows == 10 && misshapen.columns == 7)
        #expect(misshapen == reused)
    }

    @Test("a shape mismatch throws")
    func mismatch() throws {
        let a = try randomSparse(rows: 4, columns: 3, density: 0.5, seed: 6)
        #expect(throws: LinearAlgebraError.self) { try a.multiply(DenseMatrix(rows: 4, columns: 2)) }
    }
}

@Suite("Seeded generator")
struct SeededGeneratorTests {
    @Test("the same seed gives the same sequence, another seed another")
    func repeatable() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42), c = SeededGenerator(seed: 43)
        let first = (0..<5).map { _ in a.next() }
        #expect(first == (0..<5).map { _ in b.next() })
        #expect(first != (0..<5).map { _ in c.next() })
    }

    @Test("the parallel Gaussian matrix depends on the seed alone, and its blocks draw different streams")
    func parallelGaussian() {
        // 7 × 3 in blocks of 2 rows: the last block holds an odd number of samples.
        let m = SeededGenerator.gaussianMatrix(rows: 7, columns: 3, seed: 11, blockRows: 2)
        #expect(m == SeededGenerator.gaussianMatrix(rows: 7, columns: 3, seed: 11, blockRows: 2))
        #expect(m != SeededGenerator.gaussianMatrix(rows: 7, columns: 3, seed: 12, blockRows: 2))
        #expect(m.storage[0..<6] != m.storage[6..<12])
        #expect(m.storage.allSatisfy { $0.isFinite && $0 != 0 })

        let large = SeededGenerator.gaussianMatrix(rows: 1000, columns: 40, seed: 3, blockRows: 64).storage.map(
            Double.init)
        let mean = large.reduce(0, +) / Double(large.count)
        let variance = large.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(large.count)
        #expect(abs(mean) < 0.02)
        #expect(abs(variance - 1) < 0.03)
    }

    @Test("Gaussian samples have mean 0 and variance 1")
    func gaussian() {
        var generator = SeededGenerator(seed: 7)
        let samples = (0..<20_000).map { _ in Double(generator.nextGaussian()) }
        let mean = samples.reduce(0, +) / Double(samples.count)
        let variance = samples.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(samples.count)
        #expect(abs(mean) < 0.03)
        #expect(abs(variance - 1) < 0.05)
    }
}

@Suite("Ziggurat normal samples")
struct ZigguratTests {
    @Test("the test matrix's samples have the standard normal's moments and tail masses, the tail beyond r included")
    func distribution() {
        let m = SeededGenerator.gaussianMatrix(rows: 4_000, columns: 500, seed: 3)
        // One pass: sums for the moments, counts for the masses within 1, 2, 3 and 3.5 σ.
        var sum = 0.0, squares = 0.0, within = [0, 0, 0, 0], beyondFour = (above: false, below: false)
        m.storage.withUnsafeBufferPointer { samples in
            for sample in samples {
                let x = Double(sample), magnitude = abs(x)
                sum += x
                squares += x * x
                if magnitude < 1 { within[0] += 1 }
                if magnitude < 2 { within[1] += 1 }
                if magnitude < 3 { within[2] += 1 }
                if magnitude < 3.5 { within[3] += 1 }
                if x > 4 { beyondFour.above = true }
                if x < -4 { beyondFour.below = true }
            }
        }
        let n = Double(m.storage.count)
        let mean = sum / n, variance = squares / n - mean * mean
        func mass(_ bound: Int) -> Double { Double(within[bound]) / n }
        #expect(abs(mean) < 0.003)
        #expect(abs(variance - 1) < 0.005)
        #expect(abs(mass(0) - 0.682_689) < 0.002)
        #expect(abs(mass(1) - 0.954_500) < 0.001)
        #expect(abs((1 - mass(2)) - 0.002_700) < 0.000_3)
        // Beyond r = 3.44, where the samples come from the tail algorithm: 0.0465 % of them.
        #expect(abs((1 - mass(3)) - 0.000_465) < 0.000_1)
        #expect(beyondFour.above && beyondFour.below)
        #expect(m.storage.allSatisfy { $0.isFinite })
    }
}

@Suite("Top-k selection kernel")
struct TopSelectionTests {
    @Test("every partition kernel this CPU runs puts the k highest first, ties and all, with their indices")
    func selection() {
        var generator = SeededGenerator(seed: 17)
        var ran = 0
        for count in [1, 2, 15, 16, 17, 63, 84, 575, 1_500] {
            for k in Set([1, count / 3, (2 * count) / 3, count - 1, count].filter { $0 >= 1 }) {
                for kernel: Int32 in [0, 2] {
                    // Scores on a coarse grid, so that ties at the cut are common.
                    let original = (0..<count).map { _ in Float(generator.next() % 40) }
                    var scores = original
                    var indices = (0..<count).map { Int32($0) }
                    guard kindred_select_top_with(kernel, &scores, &indices, count, k) == 1 else { continue }
                    ran += 1
                    #expect(
                        Array(scores.prefix(k)).sorted(by: >) == Array(original.sorted(by: >).prefix(k)),
                        "count \(count), k \(k)")
                    #expect(
                        zip(scores, indices).allSatisfy { original[Int($1)] == $0 }, "indices moved with their scores")
                    #expect(Set(indices) == Set(0..<Int32(count)), "nothing lost or repeated")
                }
            }
        }
        #expect(ran > 20)
    }
}

@Suite("Scattered pairs of sparse vectors")
struct ScatteredPairTests {
    /// A random sparse vector over `dimension` entries, about `density` of them stored.
    func randomSparse(_ dimension: Int, density: Double, generator: inout SeededGenerator) -> SparseVector {
        var indices: [Int32] = [], values: [Float] = []
        for i in 0..<dimension where Double(generator.next() % 1_000) < density * 1_000 {
            indices.append(Int32(i))
            values.append(generator.nextGaussian())
        }
        return SparseVector(indices: indices, values: values)
    }

    @Test("dot products with every row equal the merged ones bit for bit, after reloading and with empty vectors")
    func matchesMerge() throws {
        var generator = SeededGenerator(seed: 31)
        let dimension = 500
        let rows = (0..<40).map { _ in randomSparse(dimension, density: 0.05, generator: &generator) }
        var offsets = [0], columns: [Int32] = [], values: [Float] = []
        for row in rows {
            columns += row.indices
            values += row.values
            offsets.append(columns.count)
        }
        let matrix = try CSRMatrix(
            rows: rows.count, columns: dimension, rowOffsets: offsets, columnIndices: columns, values: values)
        let scattered = ScatteredPair(dimension: dimension)
        for round in 0..<3 {
            let first = randomSparse(dimension, density: 0.1, generator: &generator)
            let second = round == 2 ? SparseVector.empty : randomSparse(dimension, density: 0.02, generator: &generator)
            scattered.load(first, second)
            for i in 0..<rows.count {
                let pair = scattered.dot(row: i, of: matrix)
                #expect(pair.x.bitPattern == matrix.dot(row: i, first).bitPattern, "round \(round), row \(i)")
                #expect(pair.y.bitPattern == matrix.dot(row: i, second).bitPattern, "round \(round), row \(i)")
            }
        }
        scattered.clear()
        #expect((0..<rows.count).allSatisfy { scattered.dot(row: $0, of: matrix) == .zero })
    }
}
