import KindredLinearAlgebra

/// Truncated SVD of a sparse matrix by randomized subspace iteration.
///
/// Halko, Martinsson & Tropp, "Finding structure with randomness: probabilistic algorithms for
/// constructing approximate matrix decompositions", SIAM Review 53(2), 2011: the range finder
/// with oversampling (Alg. 4.1) and power iterations re-orthonormalised at every step (Alg. 4.4),
/// followed by the small SVD of `B = Qᵀ·A` (Alg. 5.1), here from the eigenvectors of the
/// `l × l` matrix `B·Bᵀ` when its spectrum allows (`LAPACK.truncatedSVDByGramMatrix`).
///
/// For `A` (`n × m`, here articles × terms), rank `k`, oversampling `p`, `l = k + p`, `q` power
/// iterations:
///
///     Ω ~ N(0, 1)^(m × l), seeded
///     Y = A·Ω;          Q = normalize(Y)  (qr(Y) when q = 0)
///     repeat q times:   Q = normalize(A·(Aᵀ·Q)), the last time qr
///     Bᵀ = Aᵀ·Q  (m × l);  Bᵀ = Ũ·Σ·Wᵀ  (eigenvectors W of B·Bᵀ, Ũ = Bᵀ·W·Σ⁻¹; or CholeskyQR2)
///     A ≈ (Q·W)·Σ·Ũᵀ:  U = Q·W,  V = Ũ,  both truncated to k columns.
///
/// Halko et al. re-orthonormalise after every product (Alg. 4.4) so that rounding can't drown the
/// smaller singular directions; that matters when `σ₁/σ_l` raised to the power of the products
/// between two normalisations nears `1/ε`. TF-IDF spectra decay slowly (Debian: σ₁ = 25.8,
/// σ₁₀ = 11.6), so one normalisation after the first product and after each iteration, on the
/// article side, with a single CholeskyQR step
/// (`LAPACK.normalizeColumns`, which falls back to a full QR when it must), keeps the basis well
/// conditioned at a fraction of the cost: the term side (`m × l`, 191k × 272 for Debian) was
/// three quarters of the orthonormalisation work. docs/performance.md has the measured effect on
/// singular values and ranking quality.
///
/// It makes `2q + 2` passes over `A` (each a multithreaded sparse × dense product; those with `Aᵀ`
/// without a transposed copy, `CSRMatrix.multiplyTransposed`) and works in `O((n + m)·l)` memory
/// besides `A`: one `m × l` buffer (Ω, then every `Aᵀ·Q`,
/// then `Bᵀ`, then `V`) and one `n × l` (every `Q`, then `U`), written in place at each pass so
/// that no pass pays for fresh pages. Ω is drawn on all cores (`SeededGenerator.gaussianMatrix`).
/// The basis used as Q is orthonormalised by CholeskyQR2 with a Householder fallback
/// (`LAPACK.orthonormalizeColumns`).
/// With the same seed, input and thread-independent kernels the result is bit-for-bit the same.
public struct RandomizedSVD: Sendable {
    public var rank: Int
    public var oversampling: Int
    public var powerIterations: Int
    public var seed: UInt64

    public init(rank: Int, oversampling: Int = 16, powerIterations: Int = 2, seed: UInt64 = 20_111_217) {
        self.rank = rank
        self.oversampling = oversampling
        self.powerIterations = powerIterations
        self.seed = seed
    }

    /// The truncated factors.
    public struct Result: Sendable {
        /// Left singular vectors, `n × k`.
        public var u: DenseMatrix
        /// The `k` largest singular values, descending.
        public var singularValues: [Float]
        /// Right singular vectors, `m × k` (one column per dimension, one row per term).
        public var v: DenseMatrix
    }

    /// Decomposes `a`.
    ///
    /// - Parameter progress: called with the fraction of passes over `A` done.
    /// - Throws: `EngineError.invalidParameter` when `rank` is not below `min(n, m)`;
    ///   `LinearAlgebraError` from LAPACK.
    public func decompose(
        _ a: CSRMatrix, progress: (Double) -> Void = { _ in }
    ) throws -> Result {
        let smaller = min(a.rows, a.columns)
        guard rank >= 1, rank < smaller else {
            throw EngineError.invalid(
                .dimensions, rank,
                allowed: "at least 1 and below min(rows, columns) = \(smaller) of the \(a.rows) × \(a.columns) matrix")
        }
        let width = min(rank + oversampling, smaller)
        // 2q + 2 passes over A, and the small SVD with the products that form U and V as one more.
        let passes = Double(2 * powerIterations + 3)
        var done = 0.0
        func step() {
            done += 1
            progress(done / passes)
        }

        // One m × l buffer serves every pass on the term side: Ω first, then Aᵀ·Q at each
        // iteration, and last Bᵀ; A·(Aᵀ·Q) is written into Q's memory, which Aᵀ·Q has consumed.
        var bt = SeededGenerator.gaussianMatrix(rows: a.columns, columns: width, seed: seed)
        var q = try a.multiply(bt)
        step()
        // Only a normalisation when power iterations follow (they need the span, not an
        // orthonormal basis); the basis used as Q is fully orthonormalised.
        if powerIterations > 0 {
            try LAPACK.normalizeColumns(&q)
        } else {
            try LAPACK.orthonormalizeColumns(&q)
        }
        for iteration in 0..<powerIterations {
            // Only the article side (n × l, the smaller one here) is normalised, and fully
            // orthonormalised only before it is used as Q below: see the type's documentation.
            try a.multiplyTransposed(q, into: &bt)
            step()
            try a.multiply(bt, into: &q)
            step()
            if iteration == powerIterations - 1 {
                try LAPACK.orthonormalizeColumns(&q)
            } else {
                try LAPACK.normalizeColumns(&q)
            }
        }
        try a.multiplyTransposed(q, into: &bt)
        step()
        // Bᵀ = Ũ·Σ·Wᵀ with Ũ = small.u (m × k), Wᵀ = small.vt (l × l), computed in Bᵀ's memory:
        // from the Gram matrix BBᵀ when the kept spectrum allows it, else by CholeskyQR2.
        var small: SingularValueDecomposition
        let tall = bt.rows >= 2 * bt.columns
        if tall,
            let fast = try LAPACK.truncatedSVDByGramMatrix(overwriting: &bt, rank: rank)
                ?? LAPACK.truncatedSVDOfTallMatrix(overwriting: &bt, rank: rank)
        {
            small = fast
        } else {
            // A failed CholeskyQR2 left Bᵀ overwritten: rebuild it for the full SVD.
            if tall { bt = try a.multiplyTransposed(q) }
            small = try LAPACK.svd(bt)
            small.u = small.u.leadingColumns(rank)
        }
        bt = DenseMatrix(rows: 0, columns: 0)
        // Q·W for the first k columns of W (Wᵀ's first k rows, transposed), in Q's memory.
        let w = DenseMatrix(rows: rank, columns: width, storage: Array(small.vt.storage.prefix(rank * width)))
            .transposed()
        try BLAS.multiplyInPlace(&q, by: w)
        step()
        return Result(u: q, singularValues: Array(small.singularValues.prefix(rank)), v: small.u)
    }
}
