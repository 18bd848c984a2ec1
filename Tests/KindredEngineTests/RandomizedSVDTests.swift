import Testing

@testable import KindredEngine
@testable import KindredLinearAlgebra

@Suite("Randomized SVD")
struct RandomizedSVDTests {
    /// A sparse matrix with a decaying spectrum, like a term-document matrix: a low-rank part
    /// plus sparse noise.
    func testMatrix(rows: Int, columns: Int, seed: UInt64) throws -> CSRMatrix {
        var generator = SeededGenerator(seed: seed)
        var offsets = [0], indices: [Int32] = [], values: [Float] = []
        let topics = 6
        let rowTopic = (0..<rows).map { _ in Int(generator.next() % UInt64(topics)) }
        for i in 0..<rows {
            for j in 0..<columns {
                let inTopic = j % topics == rowTopic[i]
                let draw = Double(generator.next() % 1000) / 1000
                if (inTopic && draw < 0.5) || draw < 0.04 {
                    indices.append(Int32(j))
                    values.append((inTopic ? 2 : 0.5) * (abs(generator.nextGaussian()) + 0.2))
                }
            }
            offsets.append(indices.count)
        }
        return try CSRMatrix(rows: rows, columns: columns, rowOffsets: offsets, columnIndices: indices, values: values)
    }

    @Test("singular values agree with LAPACK's full SVD", arguments: [(120, 60, 8), (60, 150, 10), (200, 90, 20)])
    func singularValues(rows: Int, columns: Int, rank: Int) throws {
        let a = try testMatrix(rows: rows, columns: columns, seed: UInt64(rows + columns))
        let exact = try LAPACK.svd(a.toDense())
        let approximate = try RandomizedSVD(rank: rank, oversampling: 10, powerIterations: 4).decompose(a)
        #expect(approximate.singularValues.count == rank)
        for i in 0..<rank {
            let relative = abs(approximate.singularValues[i] - exact.singularValues[i]) / exact.singularValues[0]
            // Tolerance: 1 % of σ₁ for every kept value (q = 4 power iterations, p = 10).
            #expect(relative < 0.01, "σ\(i): \(approximate.singularValues[i]) vs \(exact.singularValues[i])")
        }
    }

    @Test("term vectors formed from the normalised article vectors equal the SVD's V", arguments: [0, 2])
    func termVectorsFromArticleVectors(powerIterations: Int) throws {
        // Two empty rows (articles that kept no term): a zero length, no contribution.
        var a = try testMatrix(rows: 160, columns: 70, seed: 21)
        var offsets = a.rowOffsets
        for i in [7, 90] {
            let removed = offsets[i + 1] - offsets[i]
            a = try CSRMatrix(
                rows: a.rows, columns: a.columns, rowOffsets: offsets.enumerated().map { $0 > i ? $1 - removed : $1 },
                columnIndices: Array(a.columnIndices[..<offsets[i]] + a.columnIndices[offsets[i + 1]...]),
                values: Array(a.values[..<offsets[i]] + a.values[offsets[i + 1]...]))
            offsets = a.rowOffsets
        }
        var factors = try RandomizedSVD(rank: 12, oversampling: 8, powerIterations: powerIterations).decompose(a)
        let v = factors.v
        let (vectors, lengths) = ModelBuilder.articleVectors(taking: &factors)
        #expect(lengths[7] == 0 && lengths[90] == 0 && lengths.count(where: { $0 == 0 }) == 2)
        #expect(lengths.allSatisfy { $0.isFinite && $0 >= 0 })
        let formed = try ModelBuilder.termVectors(
            of: a, articleVectors: vectors, lengths: lengths, singularValues: factors.singularValues)
        #expect(formed.rows == v.rows && formed.columns == v.columns)
        // Unit columns either way, so an absolute tolerance; Float rounding differs only.
        #expect(maxDifference(formed, v) < 1e-4, "largest difference \(maxDifference(formed, v))")
        #expect(maxDifference(try gram(formed), identity(12)) < 1e-3)
    }

    @Test("the leading singular subspaces agree with the exact ones, vectors up to sign")
    func subspaces() throws {
        let a = try testMatrix(rows: 150, columns: 80, seed: 11)
        let exact = try LAPACK.svd(a.toDense())
        let rank = 6
        let approximate = try RandomizedSVD(rank: rank, oversampling: 10, powerIterations: 4).decompose(a)
        // The topic structure gives a clear gap after σ₆, so each of the first vectors is
        // recovered individually: |⟨u_exact, u_approx⟩| ≈ 1 (the sign is arbitrary).
        for k in 0..<rank {
            var dotU: Float = 0, dotV: Float = 0
            for i in 0..<a.rows { dotU += exact.u[i, k] * approximate.u[i, k] }
            for j in 0..<a.columns { dotV += exact.vt[k, j] * approximate.v[j, k] }
            #expect(abs(abs(dotU) - 1) < 1e-2, "u\(k): \(dotU)")
            #expect(abs(abs(dotV) - 1) < 1e-2, "v\(k): \(dotV)")
        }
        #expect(maxDifference(try gram(approximate.u), identity(rank)) < 1e-4)
        #expect(maxDifference(try gram(approximate.v), identity(rank)) < 1e-4)
    }

    @Test("the same seed gives the same factors; another seed, other ones")
    func deterministic() throws {
        let a = try testMatrix(rows: 90, columns: 70, seed: 3)
        let first = try RandomizedSVD(rank: 5, seed: 1).decompose(a)
        let second = try RandomizedSVD(rank: 5, seed: 1).decompose(a)
        let other = try RandomizedSVD(rank: 5, seed: 2).decompose(a)
        #expect(first.u == second.u && first.v == second.v && first.singularValues == second.singularValues)
        #expect(first.u != other.u)
    }

    @Test("a rank that does not fit the matrix is refused with both numbers")
    func rankTooLarge() throws {
        let a = try testMatrix(rows: 10, columns: 30, seed: 4)
        let error = #expect(throws: EngineError.self) { try RandomizedSVD(rank: 10).decompose(a) }
        #expect(error?.message.contains("min(rows, columns) = 10") == true)
    }
}

func maxDifference(_ a: DenseMatrix, _ b: DenseMatrix) -> Float {
    zip(a.storage, b.storage).map { abs($0 - $1) }.max() ?? 0
}

func gram(_ m: DenseMatrix) throws -> DenseMatrix { try BLAS.multiply(m, transposeA: true, m) }

func identity(_ n: Int) -> DenseMatrix {
    var m = DenseMatrix(rows: n, columns: n)
    for i in 0..<n { m[i, i] = 1 }
    return m
}
