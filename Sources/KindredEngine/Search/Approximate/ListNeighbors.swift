import CKindredKernels
import KindredLinearAlgebra

/// Each article's nearest others found through the approximate index's lists: the graph's
/// candidates when the build found no exact ones (`NeighborGraph.built`).
///
/// An article's lists are found as a row's list is at training: among the lists of its
/// `InvertedFileIndex.assignmentGroups` nearest groups, the `NeighborGraph.candidateLists`
/// nearest; their rows are then scored by int4 code.
struct ListNeighbors {
    let lists: ListScan
    /// The articles' int8 codes in article order.
    let codes: [Int8]
    let isEmptyRow: [Bool]
    private let groups: QuantizedRows
    /// Room for the most scores one step computes.
    private let scratch: Int

    init(lists: ListScan, codes: [Int8], isEmptyRow: [Bool]) {
        let index = lists.index
        (self.lists, self.codes, self.isEmptyRow) = (lists, codes, isEmptyRow)
        groups = QuantizedRows(index.groupCentroids)
        let widestGroup = (0..<index.groups).map { Int(index.groupOffsets[$0 + 1] - index.groupOffsets[$0]) }.max()
        scratch = max(widestGroup ?? 1, index.groups, 256)
    }

    /// Each article's `width` nearest, −1 where fewer, `width` entries per article in article
    /// order; lists are shared out among the cores.
    func all(width: Int) -> [Int32] {
        let index = lists.index
        var forward = [Int32](repeating: -1, count: isEmptyRow.count * width)
        forward.withUnsafeMutableBufferPointer { out in
            Parallel.forEachChunk(of: index.lists) { range in
                var dots = [Float](repeating: 0, count: scratch)
                for list in range {
                    for position in Int(index.listOffsets[list])..<Int(index.listOffsets[list + 1]) {
                        let a = Int(index.rows[position])
                        guard !isEmptyRow[a] else { continue }
                        for (slot, b) in nearest(to: a, count: width, dots: &dots).enumerated() {
                            out[a * width + slot] = Int32(b)
                        }
                    }
                }
            }
        }
        return forward
    }

    /// Article `a`'s `count` nearest others by int4 score in its nearest lists, best first.
    func nearest(to a: Int, count: Int, dots: inout [Float]) -> [Int] {
        let d = lists.dimensions
        let row = Array(codes[a * d..<(a + 1) * d])
        let query = lists.codes.paddedQuery(row)
        var top = TopK(k: count)
        for list in nearestLists(to: row, dots: &dots) {
            let index = lists.index
            let first = Int(index.listOffsets[list]), size = Int(index.listOffsets[list + 1]) - first
            if dots.count < size { dots = [Float](repeating: 0, count: size) }
            lists.codes.codes.withUnsafeBufferPointer { packed in
                kindred_int4_dots(
                    query, packed.baseAddress! + first * lists.codes.bytesPerRow, size, lists.codes.paddedColumns, &dots
                )
            }
            for j in 0..<size {
                let b = Int(index.rows[first + j])
                if b != a && !isEmptyRow[b] { top.offer(index: b, score: dots[j] * lists.codes.scales[first + j]) }
            }
        }
        return top.sorted().map(\.index)
    }

    /// The `NeighborGraph.candidateLists` lists nearest an article's codes `row`, among those of
    /// its nearest groups.
    private func nearestLists(to row: [Int8], dots: inout [Float]) -> [Int] {
        let index = lists.index, d = lists.dimensions
        kindred_int8_dots(row, 1, groups.codes, index.groups, d, &dots)
        var topGroups = TopK(k: min(InvertedFileIndex.assignmentGroups, index.groups))
        for g in 0..<index.groups { topGroups.offer(index: g, score: dots[g] * groups.scales[g]) }
        var topLists = TopK(k: NeighborGraph.candidateLists)
        for group in topGroups.sorted().map(\.index) {
            let first = Int(index.groupOffsets[group]), count = Int(index.groupOffsets[group + 1]) - first
            lists.centroidCodes.withUnsafeBufferPointer { centroids in
                kindred_int8_dots(row, 1, centroids.baseAddress! + first * d, count, d, &dots)
            }
            for l in 0..<count { topLists.offer(index: first + l, score: dots[l] * lists.centroidScales[first + l]) }
        }
        return topLists.sorted().map(\.index)
    }
}
