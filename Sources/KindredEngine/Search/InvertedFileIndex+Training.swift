import Foundation
import KindredLinearAlgebra

extension InvertedFileIndex {
    /// Trains the two-level partition of `vectors` (unit-length rows; `isEmptyRow` marks the
    /// zero ones, which are listed but never trained on) and assigns every row to a list.
    ///
    /// About `rows / listSize` lists in about √lists groups. The centroids are trained on a
    /// sample of 16 rows per list (k-means needs a few dozen points per centroid at most to
    /// settle; more only costs time), ten Lloyd iterations at each level. Each row then joins the
    /// nearest list among the lists of its three nearest groups: the tree's own descent, made
    /// wider than one group so that rows near a group's border find their list.
    ///
    /// The default probes are a placeholder (a twentieth of the lists) until `calibrated`.
    ///
    /// - Complexity: O(s·(g + l/g)·d·i) for a sample of s rows, then O(n·(g + 3·l/g)·d) to assign
    ///   n rows, all in `sgemm`; with the calibration, 4 % of a million-article reindex.
    static func train(
        vectors: DenseMatrix, isEmptyRow: [Bool], seed: UInt64, iterations: Int = 10
    ) -> InvertedFileIndex {
        let d = vectors.columns
        let trainable = isEmptyRow.indices.filter { !isEmptyRow[$0] }
        let listCount = max(1, trainable.count / listSize)
        let groupCount = max(1, Int(Double(listCount).squareRoot().rounded()))
        var generator = SeededGenerator(seed: seed ^ 0x1F_F1DE)
        let sampleRows = generator.distinct(16 * listCount, below: trainable.count).map { trainable[$0] }
        var sample = [Float](repeating: 0, count: sampleRows.count * d)
        vectors.storage.withUnsafeBufferPointer { v in
            for (i, row) in sampleRows.enumerated() {
                for j in 0..<d { sample[i * d + j] = v[row * d + j] }
            }
        }
        let groupCentroids = sample.withUnsafeBufferPointer {
            SphericalKMeans(clusters: groupCount, iterations: iterations)
                .centroids(of: $0.baseAddress!, count: sampleRows.count, columns: d, generator: &generator)
        }
        let (listCentroids, groupOffsets) = trainLists(
            sample: sample, columns: d, groups: groupCentroids, lists: listCount, iterations: iterations,
            generator: &generator)
        let assignment = assign(
            vectors, groups: groupCentroids, groupOffsets: groupOffsets, lists: listCentroids)
        var listOffsets = [Int32](repeating: 0, count: listCentroids.rows + 1)
        for list in assignment { listOffsets[Int(list) + 1] += 1 }
        for l in 0..<listCentroids.rows { listOffsets[l + 1] += listOffsets[l] }
        var next = listOffsets
        var rows = [Int32](repeating: 0, count: vectors.rows)
        for (row, list) in assignment.enumerated() {
            rows[Int(next[Int(list)])] = Int32(row)
            next[Int(list)] += 1
        }
        return InvertedFileIndex(
            groupCentroids: groupCentroids, groupOffsets: groupOffsets, listCentroids: listCentroids,
            listOffsets: listOffsets, rows: rows, probes: max(1, listCentroids.rows / 20))
    }

    /// The list centroids of each group, trained on the sample rows nearest that group; a group
    /// gets lists in proportion to its share of the sample. Returns them group by group, and
    /// where each group's start.
    private static func trainLists(
        sample: [Float], columns d: Int, groups: DenseMatrix, lists: Int, iterations: Int,
        generator: inout SeededGenerator
    ) -> (DenseMatrix, [Int32]) {
        let count = sample.count / max(d, 1)
        var assignment = [Int32](repeating: 0, count: count)
        sample.withUnsafeBufferPointer {
            SphericalKMeans.assign($0.baseAddress!, count: count, columns: d, to: groups, into: &assignment)
        }
        var members = [[Int]](repeating: [], count: groups.rows)
        for (i, group) in assignment.enumerated() { members[Int(group)].append(i) }
        var centroids: [Float] = []
        var offsets: [Int32] = [0]
        for g in 0..<groups.rows {
            let points = members[g]
            let share = Int((Double(lists) * Double(points.count) / Double(max(count, 1))).rounded())
            var trained: DenseMatrix
            if points.count < 2 || share < 2 {
                trained = DenseMatrix(rows: 1, columns: d, storage: groups.row(g))
            } else {
                var gathered = [Float](repeating: 0, count: points.count * d)
                for (i, point) in points.enumerated() {
                    for j in 0..<d { gathered[i * d + j] = sample[point * d + j] }
                }
                trained = gathered.withUnsafeBufferPointer {
                    SphericalKMeans(clusters: share, iterations: iterations)
                        .centroids(of: $0.baseAddress!, count: points.count, columns: d, generator: &generator)
                }
            }
            centroids += trained.storage
            offsets.append(offsets.last! + Int32(trained.rows))
        }
        return (DenseMatrix(rows: Int(offsets.last!), columns: d, storage: centroids), offsets)
    }

    /// Groups a row's nearest list is looked for in, at training and (at least) at query time.
    static let assignmentGroups = 3

    /// Each row's list: the nearest list centroid among the lists of its `assignmentGroups`
    /// nearest groups. Rows are scored against a group's lists together, in `sgemm` blocks.
    private static func assign(
        _ vectors: DenseMatrix, groups: DenseMatrix, groupOffsets: [Int32], lists: DenseMatrix
    ) -> [Int32] {
        let n = vectors.rows, d = vectors.columns, g = groups.rows
        let beam = min(assignmentGroups, g)
        // The nearest groups of every row, as one list of rows per group.
        var rowsOfGroup = [[Int32]](repeating: [], count: g)
        let block = SphericalKMeans.blockRows
        var scores = [Float](repeating: 0, count: block * g)
        vectors.storage.withUnsafeBufferPointer { v in
            groups.storage.withUnsafeBufferPointer { c in
                scores.withUnsafeMutableBufferPointer { s in
                    for start in stride(from: 0, to: n, by: block) {
                        let rows = min(block, n - start)
                        BLAS.gemm(
                            transposeA: false, transposeB: true, m: rows, n: g, k: d, a: v.baseAddress! + start * d,
                            lda: d, b: c.baseAddress!, ldb: d, c: s.baseAddress!, ldc: g)
                        for r in 0..<rows {
                            for group in nearest(beam, of: s.baseAddress! + r * g, count: g) {
                                rowsOfGroup[group].append(Int32(start + r))
                            }
                        }
                    }
                }
            }
        }
        var best = [Float](repeating: -.infinity, count: n)
        var assignment = [Int32](repeating: 0, count: n)
        var gathered = [Float](repeating: 0, count: block * d)
        let widest = (0..<g).map { Int(groupOffsets[$0 + 1] - groupOffsets[$0]) }.max() ?? 1
        scores = [Float](repeating: 0, count: block * widest)
        vectors.storage.withUnsafeBufferPointer { v in
            lists.storage.withUnsafeBufferPointer { c in
                for group in 0..<g {
                    let first = Int(groupOffsets[group]), width = Int(groupOffsets[group + 1]) - first
                    let members = rowsOfGroup[group]
                    for start in stride(from: 0, to: members.count, by: block) {
                        let rows = min(block, members.count - start)
                        for r in 0..<rows {
                            let row = Int(members[start + r])
                            for j in 0..<d { gathered[r * d + j] = v[row * d + j] }
                        }
                        gathered.withUnsafeBufferPointer { x in
                            scores.withUnsafeMutableBufferPointer { s in
                                BLAS.gemm(
                                    transposeA: false, transposeB: true, m: rows, n: width, k: d, a: x.baseAddress!,
                                    lda: d, b: c.baseAddress! + first * d, ldb: d, c: s.baseAddress!, ldc: width)
                                for r in 0..<rows {
                                    let row = Int(members[start + r])
                                    for j in 0..<width where s[r * width + j] > best[row] {
                                        best[row] = s[r * width + j]
                                        assignment[row] = Int32(first + j)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return assignment
    }

    /// The positions of the `count` highest of `n` scores, best first.
    static func nearest(_ count: Int, of scores: UnsafePointer<Float>, count n: Int) -> [Int] {
        var top = TopK(k: count)
        for j in 0..<n { top.offer(index: j, score: scores[j]) }
        return top.sorted().map(\.index)
    }
}
