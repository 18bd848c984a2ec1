import CBLAS

/// Thin wrappers over the CBLAS routines Kindred uses, on row-major `DenseMatrix` values.
///
/// Whatever `libblas.so.3` the alternatives system points at does the work (OpenBLAS when
/// installed); `BLASBackend.current` says which one that is.
public enum BLAS {
    /// `C = A·B`, with either operand optionally transposed.
    ///
    /// - Throws: `LinearAlgebraError` when the inner dimensions differ or a dimension
    ///   exceeds BLAS's 32-bit index range.
    /// - Complexity: O(m·n·k) flops, in the BLAS.
    public static func multiply(
        _ a: DenseMatrix, transposeA: Bool = false,
        _ b: DenseMatrix, transposeB: Bool = false
    ) throws -> DenseMatrix {
        let m = transposeA ? a.columns : a.rows
        let k = transposeA ? a.rows : a.columns
        let kb = transposeB ? b.columns : b.rows
        let n = transposeB ? b.rows : b.columns
        guard k == kb else {
            throw LinearAlgebraError(
                routine: "sgemm",
                reason: "inner dimensions differ: (\(m) × \(k)) · (\(kb) × \(n))")
        }
        try checkIndexRange("sgemm", m, n, k)
        var c = DenseMatrix(rows: m, columns: n)
        if m == 0 || n == 0 { return c }
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                c.storage.withUnsafeMutableBufferPointer { pc in
                    gemm(
                        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                        a: pa.baseAddress!, lda: a.columns, b: pb.baseAddress!, ldb: b.columns,
                        c: pc.baseAddress!, ldc: n)
                }
            }
        }
        return c
    }

    /// Raw row-major `C = alpha·A·B + beta·C` on pointers, for blocked loops over large matrices,
    /// and for products added onto what `C` holds (`beta = 1`: a bias or a residual, with no
    /// zeroing pass).
    ///
    /// The caller guarantees the shapes: `A` is `m × k` (`k × m` when transposed) with row
    /// stride `lda`, and so on, exactly as in `cblas_sgemm`.
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// `A ← A·B` in `A`'s own memory, for `B` (`A.columns × p`) with `p ≤ A.columns`: the product
    /// of a tall matrix and a small one without a second tall matrix beside it. Rows go through
    /// `sgemm` in blocks into a small buffer, and each block's result is written back over rows
    /// already read (row i's `p` values land at `i·p ≤ i·A.columns`). The array keeps its
    /// capacity as address space; the pages past the result go back to the kernel
    /// (`releaseUnusedCapacity`).
    ///
    /// - Throws: `LinearAlgebraError` when the shapes don't fit.
    /// - Complexity: O(rows·columns·p) flops; `blockRows × p` floats of extra memory.
    public static func multiplyInPlace(_ a: inout DenseMatrix, by b: DenseMatrix, blockRows: Int = 4096) throws {
        let rows = a.rows, columns = a.columns, p = b.columns
        guard b.rows == columns, p <= columns else {
            throw LinearAlgebraError(
                routine: "sgemm",
                reason:
                    "in-place product needs B of \(columns) rows and at most \(columns) columns, got \(b.rows) × \(p)")
        }
        try checkIndexRange("sgemm", rows, columns, p)
        var storage = a.storage
        a = DenseMatrix(rows: 0, columns: 0)  // `storage` is now the only reference: no copy below
        let block = max(1, blockRows)
        var buffer = [Float](repeating: 0, count: min(block, max(rows, 1)) * p)
        storage.withUnsafeMutableBufferPointer { matrix in
            b.storage.withUnsafeBufferPointer { small in
                buffer.withUnsafeMutableBufferPointer { out in
                    for start in stride(from: 0, to: rows, by: block) {
                        let count = min(block, rows - start)
                        gemm(
                            transposeA: false, transposeB: false, m: count, n: p, k: columns,
                            a: matrix.baseAddress! + start * columns, lda: columns, b: small.baseAddress!, ldb: p,
                            c: out.baseAddress!, ldc: p)
                        (matrix.baseAddress! + start * p).update(from: out.baseAddress!, count: count * p)
                    }
                }
            }
        }
        storage.removeLast(rows * (columns - p))
        storage.releaseUnusedCapacity()
        a = DenseMatrix(rows: rows, columns: p, storage: storage)
    }

    /// `y = A·x`, or `y = Aᵀ·x` when `transposed`, for a row-major `A` (`rows × columns`).
    ///
    /// - Throws: `LinearAlgebraError` when `x` has the wrong length.
    /// - Complexity: O(rows·columns).
    public static func multiply(_ a: DenseMatrix, transposed: Bool = false, _ x: [Float]) throws -> [Float] {
        let (inputs, outputs) = transposed ? (a.rows, a.columns) : (a.columns, a.rows)
        guard x.count == inputs else {
            throw LinearAlgebraError(
                routine: "sgemv",
                reason:
                    "vector of length \(x.count) against \(transposed ? "the transpose of " : "")a \(a.rows) × \(a.columns) matrix"
            )
        }
        try checkIndexRange("sgemv", a.rows, a.columns)
        var y = [Float](repeating: 0, count: outputs)
        if a.rows == 0 || a.columns == 0 { return y }
        a.storage.withUnsafeBufferPointer { pa in
            x.withUnsafeBufferPointer { px in
                y.withUnsafeMutableBufferPointer { py in
                    cblas_sgemv(
                        CblasRowMajor, transposed ? CblasTrans : CblasNoTrans, Int32(a.rows), Int32(a.columns), 1,
                        pa.baseAddress!, Int32(a.columns), px.baseAddress!, 1, 0, py.baseAddress!, 1)
                }
            }
        }
        return y
    }

    static func checkIndexRange(_ routine: String, _ dimensions: Int...) throws {
        for d in dimensions where d > Int(Int32.max) {
            throw LinearAlgebraError(
                routine: routine, reason: "dimension \(d) exceeds the 32-bit BLAS index limit \(Int32.max)")
        }
    }
}
