import CLAPACKE

extension LAPACK {
    /// Thin SVD of a tall matrix `M` (`rows × l`) from its Gram matrix, keeping `rank` triplets:
    /// `MᵀM = W·Σ²·Wᵀ` (`ssyrk`, then `dsyevd` on the small `l × l` matrix in double precision),
    /// and `U = M·W·Σ⁻¹`, computed in `M`'s memory.
    ///
    /// Two passes over `M` (one `ssyrk`, one `sgemm`) where CholeskyQR2 then `sgesdd` of `R` take
    /// five; on Debian's `Bᵀ` (191k × 272) that is most of the SVD's last step. The price is the
    /// squared condition number: a direction with `σᵢ/σ₁` near `√ε` is lost in `MᵀM`, and the
    /// orthogonality of `U`'s columns degrades as `ε·(σ₁/σ_rank)²`. So it only answers when
    /// `σ_rank/σ₁` is at least `minimumRatio` (0.01 by default: errors of about 10⁻³ at worst);
    /// otherwise it returns nil with `matrix` untouched and the caller takes
    /// `truncatedSVDOfTallMatrix`. On success `matrix` is consumed (left empty); `u` is
    /// `rows × rank`, `singularValues` all `l` of them, `vt` is `Wᵀ` (`l × l`).
    ///
    /// - Precondition: `rows ≥ l` and `1 ≤ rank ≤ l`.
    /// - Complexity: O(rows·l·(l + rank)) at level-3 BLAS speed, O(l³) for the eigenproblem.
    public static func truncatedSVDByGramMatrix(
        overwriting matrix: inout DenseMatrix, rank: Int, minimumRatio: Float = 0.01
    ) throws -> SingularValueDecomposition? {
        let n = matrix.rows, l = matrix.columns
        precondition(n >= l && rank >= 1 && rank <= l, "not a tall matrix and rank")
        guard let gram = try gramMatrix(of: matrix) else { return nil }
        // The upper triangle, mirrored, in double: the eigenvalues are σ², and single precision
        // would cost the small ones half their digits again.
        var symmetric = [Double](repeating: 0, count: l * l)
        for i in 0..<l {
            for j in i..<l {
                symmetric[i * l + j] = Double(gram[i * l + j])
                symmetric[j * l + i] = Double(gram[i * l + j])
            }
        }
        var ascending = [Double](repeating: 0, count: l)
        let info = LAPACKE_dsyevd(
            LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "V")), CChar(UInt8(ascii: "U")), Int32(l), &symmetric, Int32(l),
            &ascending)
        if info > 0 { return nil }
        guard info == 0 else { throw LinearAlgebraError.lapack("dsyevd", info: info) }
        // Column l − 1 − j of `symmetric` is the eigenvector of the j-th largest eigenvalue.
        let singularValues = (0..<l).map { Float(max(0, ascending[l - 1 - $0]).squareRoot()) }
        guard let largest = singularValues.first, largest > 0, largest.isFinite,
            singularValues[rank - 1] >= minimumRatio * largest
        else { return nil }
        var vt = DenseMatrix(rows: l, columns: l)
        var scaled = DenseMatrix(rows: l, columns: rank)
        for i in 0..<l {
            for j in 0..<l {
                let component = Float(symmetric[i * l + (l - 1 - j)])
                vt[j, i] = component
                if j < rank { scaled[i, j] = component / singularValues[j] }
            }
        }
        try BLAS.multiplyInPlace(&matrix, by: scaled)
        let u = matrix
        matrix = DenseMatrix(rows: 0, columns: 0)
        return SingularValueDecomposition(u: u, singularValues: singularValues, vt: vt)
    }
}
