import CKindredKernels

/// The best `k` of a stream of scored rows, for streams where almost every row is rejected.
///
/// Rows that beat the running threshold are appended to a buffer of `2k`; when it fills, a
/// selection (a quickselect, `partition`) keeps the best `k` and raises the threshold to the worst of them.
/// Each accepted row costs O(1) amortised, where a heap costs O(log k): the candidate stage of an
/// all-pairs search accepts about `k·ln(n/k)` rows per query row, a thousand or so, and this was a
/// tenth of the build's time with a heap.
struct CandidateBuffer {
    let k: Int
    private(set) var scores: [Float] = []
    private(set) var indices: [Int32] = []
    /// Rows must score above this to be kept: −∞ until `k` rows have been selected once.
    private(set) var threshold: Float = -.infinity

    /// Whether `k` rows have been offered that beat the threshold: a scan may stop looking.
    var isFull: Bool { threshold > -.infinity || scores.count >= k }

    init(k: Int) {
        self.k = k
        scores.reserveCapacity(2 * k)
        indices.reserveCapacity(2 * k)
    }

    @inline(__always)
    mutating func offer(index: Int, score: Float) {
        guard score > threshold, k > 0 else { return }
        scores.append(score)
        indices.append(Int32(truncatingIfNeeded: index))
        if scores.count == 2 * k { shrink() }
    }

    /// The rows held that are among the best `k`, in no particular order (ties at the cut may
    /// keep a few more than `k`; the caller rescores and cuts).
    mutating func best() -> [Int] {
        if scores.count > k { shrink() }
        return indices.map(Int.init)
    }

    /// Keeps the `k` highest scores.
    private mutating func shrink() {
        let count = scores.count
        threshold = scores.withUnsafeMutableBufferPointer { scores in
            indices.withUnsafeMutableBufferPointer { indices in
                Self.keepBest(k, scores: scores.baseAddress!, indices: indices.baseAddress!, count: count)
            }
        }
        scores.removeSubrange(k...)
        indices.removeSubrange(k...)
    }

    /// Moves the `k` highest of `count > k` scores (and their indices) to the front, in no
    /// particular order (`partition`); returns the lowest of them, the new threshold.
    @inline(__always)
    static func keepBest(
        _ k: Int, scores: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>, count: Int
    ) -> Float {
        partition(k, scores: scores, indices: indices, count: count)
        var lowest = scores[0]
        for i in 1..<k where scores[i] < lowest { lowest = scores[i] }
        return lowest
    }

    /// Afterwards positions `0..<k` hold the `k` highest of `count > k` scores (ties at the cut
    /// in no defined order), and their indices move with them: a quickselect whose partitions are
    /// branch-free on AVX-512 (`CKindredKernels/TopSelect.c`), since branching on random
    /// comparisons made this the all-pairs search's costliest step after the product.
    @inline(__always)
    static func partition(
        _ k: Int, scores: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>, count: Int
    ) {
        kindred_select_top(scores, indices, count, k)
    }
}
