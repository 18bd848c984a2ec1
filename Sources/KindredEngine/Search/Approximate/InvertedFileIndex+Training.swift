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
            listOffsets: listOffsets, rows: rows)
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
        let n = vectors.rows
        let rowsOfGroup = rowsByNearestGroups(vectors, groups: groups)
        var best = [Float](repeating: -.infinity, count: n)
        var assignment = [Int32](repeating: 0, count: n)
        for (group, members) in rowsOfGroup.enumerated() {
            let first = Int(groupOffsets[group]), width = Int(groupOffsets[group + 1]) - first
            for start in stride(from: 0, to: members.count, by: SphericalKMeans.blockRows) {
                let block = members[start..<min(start + SphericalKMeans.blockRows, members.count)]
                let scores = scores(of: block, in: vectors, against: lists, first: first, width: width)
                for (r, row) in block.lazy.map(Int.init).enumerated() {
                    for j in 0..<width where scores[r * width + j] > best[row] {
                        best[row] = scores[r * width + j]
                        assignment[row] = Int32(first + j)
                    }
                }
            }
        }
        return assignment
    }

    /// For every row, the groups among whose lists it looks for its own: its
    /// `assignmentGroups` nearest, as one list of rows per group.
    private static func rowsByNearestGroups(_ vectors: DenseMatrix, groups: DenseMatrix) -> [[Int32]] {
        let n = vectors.rows, d = vectors.columns, g = groups.rows, block = SphericalKMeans.blockRows
        var rowsOfGroup = [[Int32]](repeating: [], count: g)
        var scores = [Float](repeating: 0, count: block * g)
        for start in stride(from: 0, to: n, by: block) {
            let rows = min(block, n - start)
            vectors.storage.withUnsafeBufferPointer { v in
                BLAS.gemm(
                    transposeA: false, transposeB: true, m: rows, n: g, k: d, a: v.baseAddress! + start * d, lda: d,
                    b: groups.storage, ldb: d, c: &scores, ldc: g)
            }
            scores.withUnsafeBufferPointer { s in
                for r in 0..<rows {
                    for group in nearest(min(assignmentGroups, g), of: s.baseAddress! + r * g, count: g) {
                        rowsOfGroup[group].append(Int32(start + r))
                    }
                }
            }
        }
        return rowsOfGroup
    }

    /// The cosines of `rows` of `vectors` with list centroids `first..<first + width`, row by row.
    private static func scores(
        of rows: ArraySlice<Int32>, in vectors: DenseMatrix, against lists: DenseMatrix, first: Int, width: Int
    ) -> [Float] {
        let d = vectors.columns
        var gathered = [Float](repeating: 0, count: rows.count * d)
        for (r, row) in rows.lazy.map(Int.init).enumerated() {
            gathered.replaceSubrange(r * d..<(r + 1) * d, with: vectors.storage[row * d..<(row + 1) * d])
        }
        var scores = [Float](repeating: 0, count: rows.count * width)
        lists.storage.withUnsafeBufferPointer { c in
            BLAS.gemm(
                transposeA: false, transposeB: true, m: rows.count, n: width, k: d, a: gathered, lda: d,
                b: c.baseAddress! + first * d, ldb: d, c: &scores, ldc: width)
        }
        return scores
    }

    /// The positions of the `count` highest of `n` scores, best first.
    static func nearest(_ count: Int, of scores: UnsafePointer<Float>, count n: Int) -> [Int] {
        var top = TopK(k: count)
        for j in 0..<n { top.offer(index: j, score: scores[j]) }
        return top.sorted().map(\.index)
    }
}
