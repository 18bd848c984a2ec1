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

    @Test("sparse × dense matches BLAS on the dense copy")
    func multiply() throws {
        let a = try randomSparse(rows: 50, columns: 30, density: 0.2, seed: 2)
        var generator = SeededGenerator(seed: 3)
        let x = generator.gaussianMatrix(rows: 30, columns: 9)
        let sparse = try a.multiply(x)
        let dense = try BLAS.multiply(a.toDense(), x)
        #expect(maxDifference(sparse, dense) < 1e-4)
    }

    @Test("the product does not depend on the thread count")
    func deterministic() throws {
        let a = try randomSparse(rows: 200, columns: 80, density: 0.1, seed: 4)
        var generator = SeededGenerator(seed: 5)
        let x = generator.gaussianMatrix(rows: 80, columns: 16)
        #expect(try a.multiply(x, threads: 1) == a.multiply(x, threads: 7))
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
