import Foundation
import Testing

@testable import KindredLinearAlgebra

@Suite("LAPACK wrappers")
struct LAPACKTests {
    @Test("SVD reconstructs the matrix with orthonormal factors", arguments: [(7, 4), (4, 7), (5, 5)])
    func svd(rows: Int, columns: Int) throws {
        var generator = SeededGenerator(seed: UInt64(rows * 31 + columns))
        let m = generator.gaussianMatrix(rows: rows, columns: columns)
        let f = try LAPACK.svd(m)
        let p = min(rows, columns)
        #expect(f.u.rows == rows && f.u.columns == p && f.vt.rows == p && f.vt.columns == columns)
        #expect(zip(f.singularValues, f.singularValues.dropFirst()).allSatisfy { $0 >= $1 })
        var us = f.u
        for i in 0..<rows { for j in 0..<p { us[i, j] *= f.singularValues[j] } }
        #expect(maxDifference(try BLAS.multiply(us, f.vt), m) < 1e-4)
        #expect(maxDifference(try gram(f.u), identity(p)) < 1e-4)
        #expect(maxDifference(try BLAS.multiply(f.vt, f.vt, transposeB: true), identity(p)) < 1e-4)
    }

    @Test("SVD of a diagonal matrix gives its diagonal, sorted")
    func diagonal() throws {
        let m = DenseMatrix(rows: 3, columns: 3, storage: [1, 0, 0, 0, 5, 0, 0, 0, 3])
        let values = try LAPACK.svd(m).singularValues
        #expect(zip(values, [5, 3, 1] as [Float]).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    @Test("SVD of NaN input throws with the routine name instead of crashing")
    func nanInput() {
        let m = DenseMatrix(rows: 3, columns: 2, storage: [.nan, 1, 2, 3, 4, 5])
        do {
            let f = try LAPACK.svd(m)
            // Some LAPACKs return NaN values instead of failing; either way nothing crashed.
            #expect(f.singularValues.contains { $0.isNaN })
        } catch let error as LinearAlgebraError {
            #expect(error.routine == "sgesdd")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    /// The two ways to make a tall matrix's columns orthonormal: a full QR, and the single
    /// CholeskyQR step the SVD's power iterations use.
    enum Orthonormalisation: CaseIterable, Sendable {
        case full, oneStep
        func apply(_ matrix: inout DenseMatrix) throws {
            switch self {
            case .full: try LAPACK.orthonormalizeColumns(&matrix)
            case .oneStep: try LAPACK.normalizeColumns(&matrix)
            }
        }
    }

    @Test("orthonormalising columns keeps their span", arguments: Orthonormalisation.allCases, [(9, 4), (200, 12)])
    func orthonormalize(method: Orthonormalisation, shape: (rows: Int, columns: Int)) throws {
        var generator = SeededGenerator(seed: UInt64(5 + shape.rows))
        let y = generator.gaussianMatrix(rows: shape.rows, columns: shape.columns)
        var q = y
        try method.apply(&q)
        // One CholeskyQR step is orthonormal to about κ²·ε, a full QR to working precision.
        let tolerance: Float = method == .full ? 1e-4 : 1e-3
        #expect(maxDifference(try gram(q), identity(shape.columns)) < tolerance)
        // Q·Qᵀ·Y = Y: every column of Y lies in the span of Q.
        let projected = try BLAS.multiply(q, try BLAS.multiply(q, transposeA: true, y))
        #expect(maxDifference(projected, y) < tolerance)
    }

    @Test("orthonormalising a wide matrix is refused")
    func wide() {
        var m = DenseMatrix(rows: 2, columns: 3)
        #expect(throws: LinearAlgebraError.self) { try LAPACK.orthonormalizeColumns(&m) }
    }
}

@Suite("Tall-matrix paths")
struct TallMatrixTests {
    @Test("the CholeskyQR2 SVD of a tall matrix agrees with sgesdd")
    func tallSVD() throws {
        var generator = SeededGenerator(seed: 9)
        let m = generator.gaussianMatrix(rows: 60, columns: 8)
        var overwritten = m
        let fast = try #require(try LAPACK.truncatedSVDOfTallMatrix(overwriting: &overwritten, rank: 8))
        #expect(overwritten.rows == 0)
        let reference = try LAPACK.svd(m)
        #expect(zip(fast.singularValues, reference.singularValues).allSatisfy { abs($0 - $1) < 1e-4 })
        var us = fast.u
        for i in 0..<60 { for j in 0..<8 { us[i, j] *= fast.singularValues[j] } }
        #expect(maxDifference(try BLAS.multiply(us, fast.vt), m) < 1e-4)
        #expect(maxDifference(try gram(fast.u), identity(8)) < 1e-4)
    }

    @Test("the Gram-matrix SVD of a tall matrix agrees with sgesdd on a decaying spectrum")
    func gramSVD() throws {
        // M = Q·diag(σ)·Pᵀ with σ from 1 down to 0.05 and random orthonormal Q, P.
        var generator = SeededGenerator(seed: 15)
        var q = generator.gaussianMatrix(rows: 400, columns: 12), p = generator.gaussianMatrix(rows: 12, columns: 12)
        try LAPACK.orthonormalizeColumns(&q)
        try LAPACK.orthonormalizeColumns(&p)
        let sigma = (0..<12).map { Float(pow(0.05, Double($0) / 11)) }
        for i in 0..<400 { for j in 0..<12 { q[i, j] *= sigma[j] } }
        let m = try BLAS.multiply(q, p, transposeB: true)
        var overwritten = m
        let fast = try #require(try LAPACK.truncatedSVDByGramMatrix(overwriting: &overwritten, rank: 10))
        #expect(overwritten.rows == 0)
        #expect(fast.u.rows == 400 && fast.u.columns == 10 && fast.vt.rows == 12 && fast.singularValues.count == 12)
        #expect(zip(fast.singularValues, sigma).allSatisfy { abs($0 - $1) < 1e-4 })
        #expect(maxDifference(try gram(fast.u), identity(10)) < 1e-3)
        // U·Σ·Vᵀ over the kept 10 is M without its two smallest directions.
        var us = fast.u
        for i in 0..<400 { for j in 0..<10 { us[i, j] *= fast.singularValues[j] } }
        let top = DenseMatrix(rows: 10, columns: 12, storage: Array(fast.vt.storage.prefix(120)))
        let reference = try LAPACK.svd(m)
        var referenceUS = reference.u.leadingColumns(10)
        for i in 0..<400 { for j in 0..<10 { referenceUS[i, j] *= reference.singularValues[j] } }
        let expected = try BLAS.multiply(
            referenceUS, DenseMatrix(rows: 10, columns: 12, storage: Array(reference.vt.storage.prefix(120))))
        #expect(maxDifference(try BLAS.multiply(us, top), expected) < 1e-4)
    }

    @Test("the Gram-matrix SVD declines a spectrum too steep for it and leaves the matrix untouched")
    func gramSVDDeclines() throws {
        var generator = SeededGenerator(seed: 16)
        var m = generator.gaussianMatrix(rows: 100, columns: 6)
        for i in 0..<100 { m[i, 5] = m[i, 0] }  // a repeated column: σ₆ = 0
        let before = m
        #expect(try LAPACK.truncatedSVDByGramMatrix(overwriting: &m, rank: 6) == nil)
        #expect(m == before)
        #expect(try LAPACK.truncatedSVDByGramMatrix(overwriting: &m, rank: 5) != nil)
    }

    @Test("rank-deficient columns fall back to Householder QR and still come out orthonormal")
    func rankDeficient() throws {
        var generator = SeededGenerator(seed: 10)
        var m = generator.gaussianMatrix(rows: 20, columns: 4)
        for i in 0..<20 { m[i, 3] = m[i, 0] }  // column 3 repeats column 0: YᵀY is singular
        try LAPACK.orthonormalizeColumns(&m)
        #expect(maxDifference(try gram(m), identity(4)) < 1e-4)
    }

    @Test("a CholeskyQR step that fails leaves the matrix as it was, so the fallback needs no copy")
    func failedStepLeavesMatrix() throws {
        var generator = SeededGenerator(seed: 13)
        var m = generator.gaussianMatrix(rows: 30, columns: 5)
        for i in 0..<30 { m[i, 3] = 0 }  // a zero column: YᵀY has a zero pivot
        let before = m
        #expect(try LAPACK.choleskyQR(&m) == nil)
        #expect(m == before)
    }

    @Test("a CholeskyQR step gives Y = Q·R with Q orthonormal to about κ²·ε")
    func choleskyStep() throws {
        var generator = SeededGenerator(seed: 14)
        let y = generator.gaussianMatrix(rows: 300, columns: 16)
        var q = y
        let r = try #require(try LAPACK.choleskyQR(&q))
        #expect(maxDifference(try BLAS.multiply(q, r), y) < 1e-4)
        #expect(maxDifference(try gram(q), identity(16)) < 1e-3)
        for i in 1..<16 { for j in 0..<i { #expect(r[i, j] == 0) } }
    }

    @Test("normalising rank-deficient columns falls back to a full QR")
    func normalizeRankDeficient() throws {
        var generator = SeededGenerator(seed: 12)
        var m = generator.gaussianMatrix(rows: 20, columns: 4)
        for i in 0..<20 { m[i, 2] = m[i, 1] }
        try LAPACK.normalizeColumns(&m)
        #expect(maxDifference(try gram(m), identity(4)) < 1e-4)
    }
}
