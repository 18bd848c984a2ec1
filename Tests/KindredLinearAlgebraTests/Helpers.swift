@testable import KindredLinearAlgebra

/// Largest absolute elementwise difference.
func maxDifference(_ a: DenseMatrix, _ b: DenseMatrix) -> Float {
    precondition(a.rows == b.rows && a.columns == b.columns, "shapes differ")
    return zip(a.storage, b.storage).map { abs($0 - $1) }.max() ?? 0
}

/// `Mᵀ·M`, which is the identity for a matrix with orthonormal columns.
func gram(_ m: DenseMatrix) throws -> DenseMatrix {
    try BLAS.multiply(m, transposeA: true, m)
}

func identity(_ n: Int) -> DenseMatrix {
    var m = DenseMatrix(rows: n, columns: n)
    for i in 0..<n { m[i, i] = 1 }
    return m
}

/// A random sparse matrix with about `density` of its entries set, seeded.
func randomSparse(rows: Int, columns: Int, density: Double, seed: UInt64) throws -> CSRMatrix {
    var generator = SeededGenerator(seed: seed)
    var offsets = [0]
    var indices: [Int32] = []
    var values: [Float] = []
    for _ in 0..<rows {
        for j in 0..<columns where Double(generator.next() % 10_000) / 10_000 < density {
            indices.append(Int32(j))
            values.append(abs(generator.nextGaussian()) + 0.1)
        }
        offsets.append(indices.count)
    }
    return try CSRMatrix(rows: rows, columns: columns, rowOffsets: offsets, columnIndices: indices, values: values)
}
