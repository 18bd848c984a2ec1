import Testing

@testable import KindredLinearAlgebra

@Suite("BLAS wrappers")
struct BLASTests {
    let a = DenseMatrix(rows: 2, columns: 3, storage: [1, 2, 3, 4, 5, 6])
    let b = DenseMatrix(rows: 3, columns: 2, storage: [7, 8, 9, 10, 11, 12])

    @Test("gemm multiplies row-major matrices")
    func gemm() throws {
        let c = try BLAS.multiply(a, b)
        #expect(c == DenseMatrix(rows: 2, columns: 2, storage: [58, 64, 139, 154]))
    }

    @Test("gemm honours transposes")
    func gemmTransposed() throws {
        let c = try BLAS.multiply(a, transposeA: true, a)  // 3 × 3
        #expect(c.rows == 3 && c.columns == 3)
        #expect(c[0, 0] == 17 && c[0, 1] == 22 && c[2, 2] == 45)
        let d = try BLAS.multiply(a, a, transposeB: true)
        #expect(d == DenseMatrix(rows: 2, columns: 2, storage: [14, 32, 32, 77]))
    }

    @Test("gemm refuses mismatched inner dimensions with the shapes in the message")
    func gemmMismatch() {
        let error = #expect(throws: LinearAlgebraError.self) { try BLAS.multiply(a, a) }
        #expect(error?.routine == "sgemm")
        #expect(error?.description.contains("(2 × 3) · (2 × 3)") == true)
    }

    @Test("gemv and its transpose")
    func gemv() throws {
        #expect(try BLAS.multiply(a, [1, 0, -1]) == [-2, -2])
        #expect(try BLAS.multiply(a, transposed: true, [1, 1]) == [5, 7, 9])
        #expect(throws: LinearAlgebraError.self) { try BLAS.multiply(a, [1, 2]) }
    }

    @Test("the backend is identified")
    func backend() {
        let backend = BLASBackend.current
        #expect(!backend.summary.isEmpty)
        if backend.implementation == "OpenBLAS" { #expect(backend.kernel != nil) }
    }

    @Test("a generic OpenBLAS kernel on a CPU with AVX2 or AVX-512 gets the core type that fixes it, a right one none")
    func suggestedCoreType() {
        func backend(_ kernel: String?) -> BLASBackend {
            BLASBackend(
                implementation: "OpenBLAS", configuration: nil, kernel: kernel, threads: 2, coreTypeOverride: nil)
        }
        let flags = CPUClass.flags
        let expected: String? =
            ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains)
            ? "SkylakeX"
            : flags.contains("avx2") && flags.contains("fma") ? "Haswell" : nil
        #expect(backend("Prescott").suggestedCoreType == expected)
        #expect(backend("Prescott").warning?.contains(expected ?? "-") == (expected != nil))
        #expect(backend("Haswell").suggestedCoreType == nil)
        #expect(backend("SkylakeX").warning == nil)
        #expect(backend(nil).suggestedCoreType == nil)
        // What runs in this process: never a generic kernel on such a CPU when kindred set it.
        if BLASBackend.current.coreTypeOverride != nil { #expect(BLASBackend.current.suggestedCoreType == nil) }
    }
}

@Suite("Dense matrix and vectors")
struct DenseMatrixTests {
    @Test("transpose, leading columns and row normalisation")
    func basics() {
        var m = DenseMatrix(rows: 2, columns: 2, storage: [3, 4, 0, 0])
        #expect(m.transposed() == DenseMatrix(rows: 2, columns: 2, storage: [3, 0, 4, 0]))
        #expect(m.leadingColumns(1) == DenseMatrix(rows: 2, columns: 1, storage: [3, 0]))
        #expect(m.normalizeRows() == 1)
        #expect(m.storage == [0.6, 0.8, 0, 0])
    }

    @Test("normalising a zero or non-finite vector leaves it alone")
    func zeroVector() {
        var zero: [Float] = [0, 0]
        #expect(!Vector.normalize(&zero))
        var infinite: [Float] = [.infinity, 1]
        #expect(!Vector.normalize(&infinite))
    }

    @Test("an in-place product equals the ordinary one, whatever the block size", arguments: [1, 7, 50, 4096])
    func multiplyInPlace(blockRows: Int) throws {
        var generator = SeededGenerator(seed: 21)
        let a = generator.gaussianMatrix(rows: 50, columns: 9)
        for p in [9, 4, 1] {
            let b = generator.gaussianMatrix(rows: 9, columns: p)
            var inPlace = a
            try BLAS.multiplyInPlace(&inPlace, by: b, blockRows: blockRows)
            #expect(inPlace.rows == 50 && inPlace.columns == p)
            #expect(maxDifference(inPlace, try BLAS.multiply(a, b)) < 1e-5)
        }
    }

    @Test("an in-place product can't widen the matrix")
    func multiplyInPlaceRefusesWider() {
        var a = DenseMatrix(rows: 4, columns: 2)
        #expect(throws: LinearAlgebraError.self) { try BLAS.multiplyInPlace(&a, by: DenseMatrix(rows: 2, columns: 3)) }
        #expect(throws: LinearAlgebraError.self) { try BLAS.multiplyInPlace(&a, by: DenseMatrix(rows: 3, columns: 2)) }
    }
}
