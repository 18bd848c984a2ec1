import CLAPACKE

/// A thin singular value decomposition `M = U·diag(s)·Vᵀ` of an `r × c` matrix, `p = min(r, c)`.
public struct SingularValueDecomposition: Sendable {
    /// Left singular vectors, `r × p`, one per column.
    public var u: DenseMatrix
    /// Singular values, `p` of them, largest first.
    public var singularValues: [Float]
    /// Right singular vectors transposed, `p × c`: row `i` is the i-th right singular vector.
    public var vt: DenseMatrix
}

/// Wrappers over the LAPACK routines Kindred uses, on row-major `DenseMatrix` values.
///
/// LAPACK is column-major. A row-major `r × c` buffer is, byte for byte, the column-major
/// `c × r` transpose, so each wrapper factors the transpose and reads the factors back
/// transposed instead of copying the input. Every routine gets a workspace query
/// (`lwork = -1`) first, and a non-zero `info` is thrown with the routine's name.
public enum LAPACK {
    /// Thin SVD through `sgesdd` (divide and conquer).
    ///
    /// Factoring the column-major view `Mᵀ = W·Σ·Zᵀ` gives `M = Z·Σ·Wᵀ`: LAPACK's `VT` buffer
    /// (`p × r` column-major) is `U` row-major, and its `U` buffer (`c × p` column-major) is
    /// `Vᵀ` row-major.
    ///
    /// - Throws: `LinearAlgebraError` when `sgesdd` fails (e.g. NaN input that does not converge).
    /// - Complexity: O(r·c·min(r, c)).
    public static func svd(_ matrix: DenseMatrix) throws -> SingularValueDecomposition {
        let r = matrix.rows, c = matrix.columns
        let p = min(r, c)
        guard p > 0 else {
            return SingularValueDecomposition(
                u: DenseMatrix(rows: r, columns: 0), singularValues: [], vt: DenseMatrix(rows: 0, columns: c))
        }
        try BLAS.checkIndexRange("sgesdd", r, c)
        // Column-major view: an (m × n) = (c × r) matrix with leading dimension c.
        let m = Int32(c), n = Int32(r)
        var a = matrix.storage
        var s = [Float](repeating: 0, count: p)
        var lapackU = [Float](repeating: 0, count: c * p)   // m × p, ld m
        var lapackVT = [Float](repeating: 0, count: p * r)  // p × n, ld p
        var iwork = [Int32](repeating: 0, count: 8 * p)
        var query: Float = 0
        var info = LAPACKE_sgesdd_work(
            LAPACK_COL_MAJOR, CChar(UInt8(ascii: "S")), m, n, &a, m, &s, &lapackU, m, &lapackVT, Int32(p),
            &query, -1, &iwork)
        guard info == 0 else { throw LinearAlgebraError.lapack("sgesdd", info: info) }
        var work = [Float](repeating: 0, count: max(1, Int(query)))
        info = LAPACKE_sgesdd_work(
            LAPACK_COL_MAJOR, CChar(UInt8(ascii: "S")), m, n, &a, m, &s, &lapackU, m, &lapackVT, Int32(p),
            &work, Int32(work.count), &iwork)
        guard info == 0 else { throw LinearAlgebraError.lapack("sgesdd", info: info) }
        return SingularValueDecomposition(
            u: DenseMatrix(rows: r, columns: p, storage: lapackVT),
            singularValues: s,
            vt: DenseMatrix(rows: p, columns: c, storage: lapackU))
    }

    /// Replaces the columns of a tall matrix (`rows ≥ columns`) by an orthonormal basis of their span:
    /// the `Q` of a thin QR factorisation.
    ///
    /// The row-major `Y` is the column-major `Yᵀ`; an LQ factorisation `Yᵀ = L·Q̃` (`sgelqf`,
    /// then `sorglq` to form `Q̃`) gives `Y = Q̃ᵀ·Lᵀ`, and `Q̃`'s column-major buffer is `Q̃ᵀ`
    /// row-major. So the QR of `Y` is computed in place with no transposition.
    ///
    /// - Throws: `LinearAlgebraError` when the matrix is wide or a routine fails.
    /// - Complexity: O(rows·columns²).
    public static func orthonormalizeColumns(_ matrix: inout DenseMatrix) throws {
        let rows = matrix.rows, columns = matrix.columns
        guard rows >= columns else {
            throw LinearAlgebraError(
                routine: "sgelqf", reason: "needs at least as many rows as columns, got \(rows) × \(columns)")
        }
        guard columns > 0 else { return }
        try BLAS.checkIndexRange("sgelqf", rows, columns)
        let m = Int32(columns), n = Int32(rows)
        var tau = [Float](repeating: 0, count: columns)
        var query: Float = 0
        var info = matrix.storage.withUnsafeMutableBufferPointer { a in
            LAPACKE_sgelqf_work(LAPACK_COL_MAJOR, m, n, a.baseAddress, m, &tau, &query, -1)
        }
        guard info == 0 else { throw LinearAlgebraError.lapack("sgelqf", info: info) }
        var work = [Float](repeating: 0, count: max(1, Int(query)))
        info = matrix.storage.withUnsafeMutableBufferPointer { a in
            LAPACKE_sgelqf_work(LAPACK_COL_MAJOR, m, n, a.baseAddress, m, &tau, &work, Int32(work.count))
        }
        guard info == 0 else { throw LinearAlgebraError.lapack("sgelqf", info: info) }
        info = matrix.storage.withUnsafeMutableBufferPointer { a in
            LAPACKE_sorglq_work(LAPACK_COL_MAJOR, m, n, m, a.baseAddress, m, &tau, &query, -1)
        }
        guard info == 0 else { throw LinearAlgebraError.lapack("sorglq", info: info) }
        if Int(query) > work.count { work = [Float](repeating: 0, count: Int(query)) }
        info = matrix.storage.withUnsafeMutableBufferPointer { a in
            LAPACKE_sorglq_work(LAPACK_COL_MAJOR, m, n, m, a.baseAddress, m, &tau, &work, Int32(work.count))
        }
        guard info == 0 else { throw LinearAlgebraError.lapack("sorglq", info: info) }
    }
}
