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

    /// Builds the graph of the articles, whose int8 `codes` and `scales` (article order,
    /// `QuantizedRows`) score the pairs pruned; `lists` (an index's partition with its int4 codes)
    /// is needed only when `nearest` is not given.
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
    ///   c · degree · d) for the pruning of c candidates (int8 dots): the `graph` stage of a build
    ///   (docs/performance.md, *The approximate index*). The candidates' n · 32 links and the
    ///   articles that chose each make its peak, besides the int8 codes.
    static func built(
        lists: consuming ListScan?, codes: [Int8], scales: [Float], isEmptyRow: [Bool], seed: UInt64,
        nearest: consuming [Int32]? = nil, degree: Int = defaultDegree, reusingCandidates: Bool = true
    ) -> NeighborGraph {
        let n = isEmptyRow.count, width = initialNeighbors
        precondition(nearest.map { $0.count == n * width } ?? true, "nearest: n × initialNeighbors")
        // Either way the lists' int4 codes are done with after this: a caller that handed over its
        // last reference gets their memory back before the pruning's.
        var forward: [Int32]
        if let nearest = nearest.take() {
            forward = nearest
            _ = consume lists
        } else {
            guard let lists = lists.take() else { preconditionFailure("the graph needs its nearest or the lists") }
            forward = ListNeighbors(lists: lists, codes: codes, isEmptyRow: isEmptyRow).all(width: width)
        }
        let chosenBy = ReverseLinks(forward, width: width)
        // The pruned links take the candidates' memory when they have the same width (the
        // default): each article's candidates are copied out before its links are written, and no
        // other article reads them.
        let inPlace = reusingCandidates && degree == width
        var adjacency = inPlace ? [] : [Int32](repeating: -1, count: n * degree)
        if inPlace { swap(&adjacency, &forward) }
        let pruning = Pruning(codes: codes, scales: scales, isEmptyRow: isEmptyRow, degree: degree)
        var counts = [Int](repeating: 0, count: n)
        forward.withUnsafeBufferPointer { f in
            adjacency.withUnsafeMutableBufferPointer { out in
                counts.withUnsafeMutableBufferPointer { kept in
                    let nearest = inPlace ? UnsafePointer(out.baseAddress!) : f.baseAddress!
                    Parallel.forEachChunk(of: n) { range in
                        for a in range where !isEmptyRow[a] {
                            let candidates = chosenBy.candidates(of: a, nearest: nearest + a * width, width: width)
                            kept[a] = pruning.links(of: a, from: candidates, into: out.baseAddress! + a * degree)
                        }
                    }
                }
            }
        }
        linkBack(&adjacency, counts: &counts, degree: degree)
        return NeighborGraph(degree: degree, adjacency: adjacency, entries: entryPoints(isEmptyRow, seed: seed))
    }

    /// Adds each kept link the other way round too, while the other article has room, in article
    /// order (the same graph on every run).
    private static func linkBack(_ adjacency: inout [Int32], counts: inout [Int], degree: Int) {
        let pruned = counts
        for a in pruned.indices {
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
    }

    /// `entryCount` articles that can be ranked, drawn by `seed`, in article order.
    private static func entryPoints(_ isEmptyRow: [Bool], seed: UInt64) -> [Int32] {
        var generator = SeededGenerator(seed: seed ^ 0x6_2A9F)
        let usable = isEmptyRow.indices.filter { !isEmptyRow[$0] }
        return generator.distinct(min(entryCount, usable.count), below: usable.count).map { Int32(usable[$0]) }.sorted()
    }
}

/// The pruning of an article's candidates to its links (`kindred_graph_prune`), by int8 cosine.
private struct Pruning: @unchecked Sendable {
    let codes: [Int8]
    let scales: [Float]
    let isEmptyRow: [Bool]
    let degree: Int

    /// Writes article `a`'s links, best first, into `out` (`degree` slots, −1 after the last) and
    /// returns how many it kept.
    func links(of a: Int, from candidates: [Int32], into out: UnsafeMutablePointer<Int32>) -> Int {
        let d = codes.count / max(isEmptyRow.count, 1)
        var dot: Float = 0
        return codes.withUnsafeBufferPointer { c in
            let cosines = candidates.map { other in
                kindred_int8_dots(c.baseAddress! + a * d, 1, c.baseAddress! + Int(other) * d, 1, d, &dot)
                return dot * scales[a] * scales[Int(other)]
            }
            let order = candidates.indices.sorted {
                cosines[$0] != cosines[$1] ? cosines[$0] > cosines[$1] : candidates[$0] < candidates[$1]
            }
            let rows = order.map { candidates[$0] }, sorted = order.map { cosines[$0] }
            let kept = scales.withUnsafeBufferPointer { s in
                kindred_graph_prune(
                    Int32(a), rows, sorted, rows.count, c.baseAddress, s.baseAddress, d, NeighborGraph.alpha, degree,
                    out)
            }
            for slot in kept..<degree { out[slot] = -1 }
            return kept
        }
    }
}
