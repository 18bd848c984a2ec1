import KindredLinearAlgebra

/// Spherical k-means (Dhillon & Modha 2001): Lloyd's iterations where points join the centroid of
/// highest cosine and each centroid is its members' mean scaled to unit length. The points are
/// unit-length rows, so the cosine is the dot product and one `sgemm` per block of points scores
/// them against every centroid.
struct SphericalKMeans {
    let clusters: Int
    let iterations: Int

    /// Rows of points per `sgemm`: with 128 centroids, half a million scores.
    static let blockRows = 4_096

    /// The centroids, `(clusters × columns)`, of `count` rows at `points`; fewer when there are
    /// fewer points than clusters. Initial centroids are distinct points drawn by `generator`; a
    /// cluster left empty takes a random point again.
    func centroids(
        of points: UnsafePointer<Float>, count: Int, columns d: Int, generator: inout SeededGenerator
    ) -> DenseMatrix {
        let k = min(clusters, count)
        guard k > 0 else { return DenseMatrix(rows: 0, columns: d) }
        var centroids = DenseMatrix(rows: k, columns: d)
        for (c, point) in generator.distinct(k, below: count).enumerated() {
            for j in 0..<d { centroids.storage[c * d + j] = points[point * d + j] }
        }
        guard k > 1 else { return Self.meansOf(points, count: count, columns: d, into: centroids, assignment: nil) }
        var assignment = [Int32](repeating: 0, count: count)
        for _ in 0..<iterations {
            Self.assign(points, count: count, columns: d, to: centroids, into: &assignment)
            centroids = Self.meansOf(points, count: count, columns: d, into: centroids, assignment: assignment)
            Self.reseedEmpty(&centroids, points: points, count: count, assignment: assignment, generator: &generator)
        }
        return centroids
    }

    /// Each point's nearest centroid by dot product.
    static func assign(
        _ points: UnsafePointer<Float>, count: Int, columns d: Int, to centroids: DenseMatrix,
        into assignment: inout [Int32]
    ) {
        let k = centroids.rows
        var scores = [Float](repeating: 0, count: blockRows * k)
        centroids.storage.withUnsafeBufferPointer { c in
            scores.withUnsafeMutableBufferPointer { s in
                for start in stride(from: 0, to: count, by: blockRows) {
                    let rows = min(blockRows, count - start)
                    BLAS.gemm(
                        transposeA: false, transposeB: true, m: rows, n: k, k: d, a: points + start * d, lda: d,
                        b: c.baseAddress!, ldb: d, c: s.baseAddress!, ldc: k)
                    for r in 0..<rows {
                        let row = s.baseAddress! + r * k
                        var best = 0
                        for j in 1..<k where row[j] > row[best] { best = j }
                        assignment[start + r] = Int32(best)
                    }
                }
            }
        }
    }

    /// The unit-length mean of each cluster's points (all points for a nil assignment); a cluster
    /// without points, or whose mean is zero, keeps its old centroid in `previous`.
    static func meansOf(
        _ points: UnsafePointer<Float>, count: Int, columns d: Int, into previous: DenseMatrix, assignment: [Int32]?
    ) -> DenseMatrix {
        var sums = DenseMatrix(rows: previous.rows, columns: d)
        for i in 0..<count {
            let c = Int(assignment?[i] ?? 0)
            for j in 0..<d { sums.storage[c * d + j] += points[i * d + j] }
        }
        for c in 0..<sums.rows {
            var row = Array(sums.storage[(c * d)..<((c + 1) * d)])
            if !Vector.normalize(&row) { row = previous.row(c) }
            sums.storage.replaceSubrange((c * d)..<((c + 1) * d), with: row)
        }
        return sums
    }

    /// Gives every cluster no point joined a random point as its centroid.
    static func reseedEmpty(
        _ centroids: inout DenseMatrix, points: UnsafePointer<Float>, count: Int, assignment: [Int32],
        generator: inout SeededGenerator
    ) {
        var members = [Int](repeating: 0, count: centroids.rows)
        for c in assignment { members[Int(c)] += 1 }
        let d = centroids.columns
        for c in members.indices where members[c] == 0 {
            let point = Int(generator.next() % UInt64(count))
            for j in 0..<d { centroids.storage[c * d + j] = points[point * d + j] }
        }
    }
}
