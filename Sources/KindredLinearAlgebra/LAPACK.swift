import CBLAS
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
        var lapackU = [Float](repeating: 0, count: c * p)  // m × p, ld m
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
    /// Tries CholeskyQR2 first (Fukaya, Nakatsukasa, Yanagisawa & Yamamoto, "CholeskyQR2: a simple
    /// and communication-avoiding algorithm for computing a tall-skinny QR factorization", 2014):
    /// `R = chol(YᵀY)`, `Y ← Y·R⁻¹`, twice. It is all level-3 BLAS (`ssyrk`, `strsm`), several times
    /// faster than Householder QR on a `191 000 × 272` matrix, and exact to working precision
    /// when `Y` is well conditioned, as it is between the re-orthonormalised steps of randomized
    /// SVD. When the Cholesky factorisation fails (`Y` rank-deficient or too ill-conditioned for
    /// single precision), it falls back to Householder QR (`householderOrthonormalize`).
    ///
    /// - Throws: `LinearAlgebraError` when the matrix is wide or a routine fails.
    /// - Complexity: O(rows·columns²).
    public static func orthonormalizeColumns(_ matrix: inout DenseMatrix) throws {
        guard matrix.rows >= matrix.columns else {
            throw LinearAlgebraError(
                routine: "sgelqf",
                reason: "needs at least as many rows as columns, got \(matrix.rows) × \(matrix.columns)")
        }
        guard matrix.columns > 0 else { return }
        // A failed step leaves `Y`, or after a first successful step `Y·R₁⁻¹`: the same span.
        if try choleskyQR2(&matrix) != nil { return }
        try householderOrthonormalize(&matrix)
    }

    /// Makes the columns of a tall matrix well conditioned without the cost of a full QR: one
    /// CholeskyQR step (`R = chol(YᵀY)`, `Y ← Y·R⁻¹`), which leaves them orthonormal to about
    /// `κ(Y)²·ε`. That is what the intermediate steps of subspace iteration need: they only have
    /// to stop the columns collapsing onto the leading singular vector (Halko, Martinsson & Tropp
    /// 2011, §4.5, where any normalisation that keeps the span, such as LU in scikit-learn, serves).
    /// Falls back to `orthonormalizeColumns` when the Cholesky factorisation fails.
    ///
    /// - Complexity: O(rows·columns²), half of `orthonormalizeColumns`.
    public static func normalizeColumns(_ matrix: inout DenseMatrix) throws {
        guard matrix.rows >= matrix.columns, matrix.columns > 0 else { return try orthonormalizeColumns(&matrix) }
        if try choleskyQR(&matrix) != nil { return }
        try orthonormalizeColumns(&matrix)
    }

    /// Thin SVD of a tall matrix (`rows ≥ 2·columns`), keeping the `rank` leading singular
    /// triplets: CholeskyQR2 gives `M = Q·R`, the small `R` (`columns × columns`) is decomposed by
    /// `sgesdd`, and `U = Q·U_R` (`rows × rank`; `vt` stays `columns × columns`). On a tall-skinny
    /// matrix this is several times faster than `sgesdd` on the whole matrix, whose internal
    /// Householder QR runs largely at level-2 BLAS speed.
    ///
    /// It works in the matrix's own memory: `matrix` becomes `Q` and then `U`
    /// (`BLAS.multiplyInPlace`), so no second tall matrix is ever allocated, the largest saving
    /// at the peak of a large reindex (docs/performance.md, *Memory*). `matrix` is consumed (left
    /// empty). Returns nil, with `matrix` overwritten, when CholeskyQR2 fails; the caller, which
    /// knows how to rebuild the matrix, then uses `svd(_:)`.
    ///
    /// - Precondition: `rows ≥ 2·columns` and `1 ≤ rank ≤ columns`.
    /// - Complexity: O(rows·columns²) at level-3 BLAS speed.
    public static func truncatedSVDOfTallMatrix(overwriting matrix: inout DenseMatrix, rank: Int) throws
        -> SingularValueDecomposition?
    {
        precondition(
            matrix.rows >= 2 * matrix.columns && rank >= 1 && rank <= matrix.columns, "not a tall matrix and rank")
        guard let r = try choleskyQR2(&matrix) else { return nil }
        let small = try svd(r)
        try BLAS.multiplyInPlace(&matrix, by: small.u.leadingColumns(rank))
        let u = matrix
        matrix = DenseMatrix(rows: 0, columns: 0)
        return SingularValueDecomposition(u: u, singularValues: small.singularValues, vt: small.vt)
    }

    /// CholeskyQR2: replaces `Y` by `Q` and returns `R` (upper triangular, `Y = Q·R`), or nil when
    /// a step fails (`Y` is then left as it was, or as `Y·R₁⁻¹` when the second step failed).
    static func choleskyQR2(_ matrix: inout DenseMatrix) throws -> DenseMatrix? {
        guard let first = try choleskyQR(&matrix), let second = try choleskyQR(&matrix) else { return nil }
        return try BLAS.multiply(second, first)
    }

    /// One CholeskyQR step, returning its `R`; nil, with `Y` untouched, when `YᵀY` is not positive
    /// definite or `R` is nearly singular.
    ///
    /// `Y·R⁻¹` is computed as a product with the explicit inverse (`strtri`, then `sgemm` in `Y`'s
    /// memory) rather than with `strsm`, whose OpenBLAS kernel runs at a fraction of `sgemm`'s
    /// speed on this shape. Every failure is found before `Y` is written, so callers need no
    /// copy to fall back on: the Cholesky factorisation, then a condition estimate of `R`
    /// (`strcon`) that refuses an inverse large enough to overflow.
    static func choleskyQR(_ matrix: inout DenseMatrix) throws -> DenseMatrix? {
        let l = matrix.columns
        guard var gram = try gramMatrix(of: matrix) else { return nil }
        let upper = CChar(UInt8(ascii: "U")), nonUnit = CChar(UInt8(ascii: "N"))
        var info = LAPACKE_spotrf_work(LAPACK_ROW_MAJOR, upper, Int32(l), &gram, Int32(l))
        if info > 0 { return nil }
        guard info == 0 else { throw LinearAlgebraError.lapack("spotrf", info: info) }
        // spotrf leaves the strict lower triangle as it was (YᵀY's values): clear it to get R.
        for i in 1..<l { for j in 0..<i { gram[i * l + j] = 0 } }
        var reciprocalCondition: Float = 0
        var work = [Float](repeating: 0, count: 3 * l)
        var integerWork = [Int32](repeating: 0, count: l)
        info = LAPACKE_strcon_work(
            LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "1")), upper, nonUnit, Int32(l), gram, Int32(l), &reciprocalCondition,
            &work, &integerWork)
        guard info == 0 else { throw LinearAlgebraError.lapack("strcon", info: info) }
        guard reciprocalCondition >= choleskyQRMinimumReciprocalCondition else { return nil }
        var inverse = gram
        info = LAPACKE_strtri_work(LAPACK_ROW_MAJOR, upper, nonUnit, Int32(l), &inverse, Int32(l))
        if info > 0 { return nil }
        guard info == 0 else { throw LinearAlgebraError.lapack("strtri", info: info) }
        try BLAS.multiplyInPlace(&matrix, by: DenseMatrix(rows: l, columns: l, storage: inverse))
        guard matrix.storage.allSatisfy(\.isFinite) else {
            throw LinearAlgebraError(
                routine: "CholeskyQR", reason: "non-finite values after Y·R⁻¹ although R passed the condition check")
        }
        return DenseMatrix(rows: l, columns: l, storage: gram)
    }

    /// The upper triangle of `YᵀY` (`columns × columns`, row-major; the strict lower triangle is
    /// zero), or nil when it holds a non-finite value.
    static func gramMatrix(of matrix: DenseMatrix) throws -> [Float]? {
        let n = matrix.rows, l = matrix.columns
        try BLAS.checkIndexRange("ssyrk", n, l)
        var gram = [Float](repeating: 0, count: l * l)
        matrix.storage.withUnsafeBufferPointer { y in
            cblas_ssyrk(
                CblasRowMajor, CblasUpper, CblasTrans, Int32(l), Int32(n), 1, y.baseAddress, Int32(l), 0, &gram,
                Int32(l))
        }
        return gram.allSatisfy(\.isFinite) ? gram : nil
    }

    /// The smallest estimated `1 / κ₁(R)` a CholeskyQR step accepts: a guard against overflow in
    /// `R⁻¹`, not a rank test. In single precision the factorisation of `YᵀY` itself fails once
    /// `κ(Y)` passes about `ε^(-1/2)` ≈ 4,000, so an `R` that gets here has `κ` near that at
    /// most; on Debian the steps of the SVD see estimates between 2·10⁻³ and 1.
    static let choleskyQRMinimumReciprocalCondition: Float = 1e-5

    /// Householder thin QR, robust for any tall matrix.
    ///
    /// The row-major `Y` is the column-major `Yᵀ`; an LQ factorisation `Yᵀ = L·Q̃` (`sgelqf`,
    /// then `sorglq` to form `Q̃`) gives `Y = Q̃ᵀ·Lᵀ`, and `Q̃`'s column-major buffer is `Q̃ᵀ`
    /// row-major. So the QR of `Y` is computed in place with no transposition.
    public static func householderOrthonormalize(_ matrix: inout DenseMatrix) throws {
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
