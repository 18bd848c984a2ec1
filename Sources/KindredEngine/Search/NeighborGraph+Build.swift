import CKindredKernels
import KindredLinearAlgebra

extension NeighborGraph {
    /// Lists whose rows are an article's candidate neighbours: the nearest to it. 8 lists of about
    /// 64 rows gave a graph of recall@10 0.979 at a beam of 256 on the generated million articles
    /// (before re-ranking; docs/performance.md, *The approximate index*).
    static let candidateLists = 8

    /// Nearest candidates each article keeps before pruning (besides the articles that keep it).
    static let initialNeighbors = 32

    /// The pruning's factor on distance (`kindred_graph_prune`): 1 keeps only neighbours nearer
    /// the article than to any kept one (11 of 32 on average on the generated million, recall
    /// 0.974 at a beam of 256 in a prototype), 1.2 keeps longer links too (26 of 32, 0.982).
    static let alpha: Float = 1.2

    /// Builds the graph of the rows of `lists` (an index's partition with its int4 codes), whose
    /// int8 `codes` and `scales` (article order, `QuantizedRows`) score the pairs pruned.
    ///
    /// 1. Each article's `initialNeighbors` nearest: `nearest` when given (`n × initialNeighbors`,
    ///    −1 padded: a build's all-pairs search finds them exactly, and on the generated million
    ///    the graph then reaches the calibration's target at a quarter of the beam), else by int4
    ///    score among the rows of the `candidateLists` lists whose centroids are nearest it.
    /// 2. Its candidates are those and the articles that chose it; pruned to `degree` by the rule
    ///    with factor `alpha`, best first.
    /// 3. Each kept link is added the other way round too, while the other article has room.
    ///
    /// Every article is built from the same inputs whatever the threads, so a build is the same
    /// on every run. `reusingCandidates: false` gives the links memory of their own (for tests:
    /// the graph is the same).
    ///
    /// - Complexity: O(n · candidateLists · listSize · d) for the candidates (int4 dots), O(n ·
    ///   c · degree · d) for the pruning of c candidates (int8 dots). With the beam's calibration,
    ///   most of the index stage (88 s on two vnni Xeon cores for a million articles of 256 dimensions). The
    ///   candidates' n · 32 links and the articles that chose each make its peak, besides the
    ///   int8 codes.
    static func built(
        lists: consuming InvertedLists, codes: [Int8], scales: [Float], isEmptyRow: [Bool], seed: UInt64,
        nearest: consuming [Int32]? = nil, degree: Int = defaultDegree, reusingCandidates: Bool = true
    ) -> NeighborGraph {
        let n = isEmptyRow.count, d = lists.dimensions
        precondition(nearest.map { $0.count == n * initialNeighbors } ?? true, "nearest: n × initialNeighbors")
        var forward = nearest.take() ?? nearestInLists(lists, codes: codes, isEmptyRow: isEmptyRow)
        // The lists' int4 codes are done with: a caller that handed over its last reference gets
        // their memory back before the pruning's (384 MB at 3 million articles).
        _ = consume lists
        let width = initialNeighbors
        // Who chose each article: the reverse links, as one array with offsets.
        var offsets = [Int](repeating: 0, count: n + 1)
        for neighbour in forward where neighbour >= 0 { offsets[Int(neighbour) + 1] += 1 }
        for a in 0..<n { offsets[a + 1] += offsets[a] }
        var chosenBy = [Int32](repeating: 0, count: offsets[n])
        var next = offsets
        for a in 0..<n {
            for slot in 0..<width {
                let neighbour = Int(forward[a * width + slot])
                if neighbour < 0 { break }
                chosenBy[next[neighbour]] = Int32(a)
                next[neighbour] += 1
            }
        }
        // The pruned links take the candidates' memory when they have the same width (the
        // default): each article's candidates are copied out before its links are written, and no
        // other article reads them (384 MB at 3 million articles).
        let inPlace = reusingCandidates && degree == width
        var adjacency = inPlace ? [] : [Int32](repeating: -1, count: n * degree)
        if inPlace { swap(&adjacency, &forward) }
        var counts = [Int](repeating: 0, count: n)
        codes.withUnsafeBufferPointer { c in
            scales.withUnsafeBufferPointer { s in
                forward.withUnsafeBufferPointer { f in
                    adjacency.withUnsafeMutableBufferPointer { out in
                        let nearest = inPlace ? UnsafePointer(out.baseAddress!) : f.baseAddress!
                        counts.withUnsafeMutableBufferPointer { kept in
                            Parallel.forEachChunk(of: n) { range in
                                var candidates = [Int32](), cosines = [Float](), dot: Float = 0
                                for a in range where !isEmptyRow[a] {
                                    var seen = Set<Int32>()
                                    candidates.removeAll(keepingCapacity: true)
                                    for slot in 0..<width where nearest[a * width + slot] >= 0 {
                                        if seen.insert(nearest[a * width + slot]).inserted {
                                            candidates.append(nearest[a * width + slot])
                                        }
                                    }
                                    for r in offsets[a]..<offsets[a + 1] where seen.insert(chosenBy[r]).inserted {
                                        candidates.append(chosenBy[r])
                                    }
                                    cosines = candidates.map { other in
                                        kindred_int8_dots(
                                            c.baseAddress! + a * d, 1, c.baseAddress! + Int(other) * d, 1, d, &dot)
                                        return dot * s[a] * s[Int(other)]
                                    }
                                    let order = candidates.indices.sorted {
                                        cosines[$0] != cosines[$1]
                                            ? cosines[$0] > cosines[$1] : candidates[$0] < candidates[$1]
                                    }
                                    let rows = order.map { candidates[$0] }, sorted = order.map { cosines[$0] }
                                    kept[a] = kindred_graph_prune(
                                        Int32(a), rows, sorted, rows.count, c.baseAddress, s.baseAddress, d, alpha,
                                        degree, out.baseAddress! + a * degree)
                                    for slot in kept[a]..<degree { out[a * degree + slot] = -1 }
                                }
                            }
                        }
                    }
                }
            }
        }
        // The links back, in article order (the same graph on every run).
        let pruned = counts
        for a in 0..<n {
            for slot in 0..<pruned[a] {
                let b = Int(adjacency[a * degree + slot])
                guard counts[b] < degree else { continue }
                // A loop, not a slice's `contains`: a slice alive across the write below would
                // copy the whole array.
                var linked = false
                for slot in b * degree..<b * degree + counts[b] where adjacency[slot] == Int32(a) { linked = true }
                if !linked {
                    adjacency[b * degree + counts[b]] = Int32(a)
                    counts[b] += 1
                }
            }
        }
        var generator = SeededGenerator(seed: seed ^ 0x6_2A9F)
        let usable = isEmptyRow.indices.filter { !isEmptyRow[$0] }
        let entries = generator.distinct(min(entryCount, usable.count), below: usable.count).map {
            Int32(usable[$0])
        }
        return NeighborGraph(degree: degree, adjacency: adjacency, entries: entries.sorted(), beam: 256)
    }

    /// Each article's `initialNeighbors` nearest by int4 score among the rows of the
    /// `candidateLists` lists nearest it, −1 where fewer: article order. Its lists are found as
    /// a row's list is at training: among the lists of its `assignmentGroups` nearest groups.
    private static func nearestInLists(_ lists: InvertedLists, codes: [Int8], isEmptyRow: [Bool]) -> [Int32] {
        let index = lists.index, d = lists.dimensions, n = isEmptyRow.count
        let width = initialNeighbors
        let groups = QuantizedRows(index.groupCentroids)
        let nearGroups = min(InvertedFileIndex.assignmentGroups, index.groups)
        let widestGroup = (0..<index.groups).map { Int(index.groupOffsets[$0 + 1] - index.groupOffsets[$0]) }.max() ?? 1
        var forward = [Int32](repeating: -1, count: n * width)
        let packed = lists.codes
        packed.codes.withUnsafeBufferPointer { p in
            packed.scales.withUnsafeBufferPointer { s in
                lists.centroidCodes.withUnsafeBufferPointer { centroids in
                    codes.withUnsafeBufferPointer { c in
                        forward.withUnsafeMutableBufferPointer { out in
                            Parallel.forEachChunk(of: index.lists) { range in
                                var dots = [Float](repeating: 0, count: max(widestGroup, index.groups, 256))
                                for list in range {
                                    for position in Int(index.listOffsets[list])..<Int(index.listOffsets[list + 1]) {
                                        let a = Int(index.rows[position])
                                        guard !isEmptyRow[a] else { continue }
                                        let row = c.baseAddress! + a * d
                                        // Its nearest groups, then their nearest lists.
                                        kindred_int8_dots(row, 1, groups.codes, index.groups, d, &dots)
                                        var topGroups = TopK(k: nearGroups)
                                        for g in 0..<index.groups {
                                            topGroups.offer(index: g, score: dots[g] * groups.scales[g])
                                        }
                                        var topLists = TopK(k: candidateLists)
                                        for group in topGroups.sorted().map(\.index) {
                                            let first = Int(index.groupOffsets[group])
                                            let count = Int(index.groupOffsets[group + 1]) - first
                                            kindred_int8_dots(
                                                row, 1, centroids.baseAddress! + first * d, count, d, &dots)
                                            for l in 0..<count {
                                                topLists.offer(
                                                    index: first + l, score: dots[l] * lists.centroidScales[first + l])
                                            }
                                        }
                                        let query = packed.paddedQuery(Array(UnsafeBufferPointer(start: row, count: d)))
                                        var top = TopK(k: width)
                                        for other in topLists.sorted().map(\.index) {
                                            let first = Int(index.listOffsets[other])
                                            let count = Int(index.listOffsets[other + 1]) - first
                                            if dots.count < count { dots = [Float](repeating: 0, count: count) }
                                            kindred_int4_dots(
                                                query, p.baseAddress! + first * packed.bytesPerRow, count,
                                                packed.paddedColumns, &dots)
                                            for j in 0..<count {
                                                let b = Int(index.rows[first + j])
                                                if b != a && !isEmptyRow[b] {
                                                    top.offer(index: b, score: dots[j] * s[first + j])
                                                }
                                            }
                                        }
                                        for (slot, neighbour) in top.sorted().enumerated() {
                                            out[a * width + slot] = Int32(neighbour.index)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return forward
    }
}
