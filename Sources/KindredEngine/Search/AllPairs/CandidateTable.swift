/// The best candidates of every row at once: `CandidateBuffer`'s append-then-select for `rows`
/// rows in flat memory, for the all-pairs search that scores each pair once and offers the score
/// to both of its rows (`EmbeddingIndex.symmetricAllNeighbors`).
///
/// Candidates are ordered by score, then by lower index, and each row keeps exactly its best `k`
/// in that order: which candidates survive never depends on the order they were offered in,
/// which in the symmetric search depends on how the threads were scheduled. (Debian has groups
/// of packages with identical descriptions, whose equal scores often straddle the cut.) So a
/// build is the same on every run.
///
/// The thresholds are one contiguous array so that the scan can compare a row of scores against
/// the thresholds of the rows they were scored against with vector loads. Rows whose threshold
/// is +∞ never accept anything (rows that can't be ranked).
///
/// Memory: `rows × capacity(k) × 8` bytes (scores and `Int32` indices, 1.5k a row), plus 12
/// bytes a row.
final class CandidateTable: @unchecked Sendable {
    // @unchecked: raw memory written from several threads, each row by one thread at a time (the
    // all-pairs scheduler hands out pairs of tiles no other thread holds).
    let rows: Int
    let k: Int
    let capacity: Int
    let scores: UnsafeMutablePointer<Float>
    let indices: UnsafeMutablePointer<Int32>
    let counts: UnsafeMutablePointer<Int32>
    /// A candidate enters `row` when its score is above `thresholds[row]`, or equal to it with an
    /// index below `thresholdIndices[row]`: −∞ until `k` rows have been selected once.
    let thresholds: UnsafeMutablePointer<Float>
    let thresholdIndices: UnsafeMutablePointer<Int32>

    /// The bytes a table of `rows` rows keeping `k` candidates takes.
    static func bytes(rows: Int, k: Int) -> Int { rows * (capacity(k) * 8 + 12) }

    /// Candidates held per row before a selection: `k` and half as many again. (Twice `k`, as in
    /// `CandidateBuffer`, selects less often, but this table holds every row at once: on Debian
    /// the smaller table kept the build under a quarter of scikit-learn's memory at no measurable
    /// cost in time.)
    static func capacity(_ k: Int) -> Int { k + max(1, k / 2) }

    init(rows: Int, k: Int) {
        precondition(k > 0, "a candidate table keeps at least one candidate a row")
        self.rows = rows
        self.k = k
        capacity = Self.capacity(k)
        scores = .allocate(capacity: rows * capacity)
        indices = .allocate(capacity: rows * capacity)
        counts = .allocate(capacity: rows)
        counts.initialize(repeating: 0, count: rows)
        thresholds = .allocate(capacity: rows)
        thresholds.initialize(repeating: -.infinity, count: rows)
        thresholdIndices = .allocate(capacity: rows)
        thresholdIndices.initialize(repeating: .max, count: rows)
    }

    deinit {
        scores.deallocate()
        indices.deallocate()
        counts.deallocate()
        thresholds.deallocate()
        thresholdIndices.deallocate()
    }

    /// Whether a candidate beats a row's threshold (`limit`, `limitIndex`): a higher score, or the
    /// same score and a lower index.
    @inline(__always)
    static func beats(score: Float, index: Int, limit: Float, limitIndex: Int32) -> Bool {
        score > limit || (score == limit && Int32(truncatingIfNeeded: index) < limitIndex)
    }

    @inline(__always)
    func offer(row: Int, index: Int, score: Float) {
        guard Self.beats(score: score, index: index, limit: thresholds[row], limitIndex: thresholdIndices[row]) else {
            return
        }
        let base = row * capacity
        let count = Int(counts[row])
        scores[base + count] = score
        indices[base + count] = Int32(truncatingIfNeeded: index)
        if count + 1 == capacity {
            shrink(row: row, count: capacity)
        } else {
            counts[row] = Int32(count + 1)
        }
    }

    /// Offers `count` candidates to one row at once (`indices[h] + offset`, `scores[h]`), skipping
    /// those `admits` refuses. Where the row's buffer would fill several times over (a row's
    /// first scores, met with its threshold still at −∞), one selection over the row's candidates
    /// and the new ones replaces a selection every `capacity − k` offers.
    ///
    /// - Parameter scratch: room for `capacity + count` scores and indices.
    @inline(__always)
    func offer(
        row: Int, count: Int, indices hits: UnsafePointer<UInt32>, offset: Int, scores hitScores: UnsafePointer<Float>,
        scratch: (scores: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>), admits: (Int) -> Bool
    ) {
        let held = Int(counts[row])
        guard held + count > capacity + (capacity - k) else {
            for h in 0..<count where admits(offset + Int(hits[h])) {
                offer(row: row, index: offset + Int(hits[h]), score: hitScores[h])
            }
            return
        }
        let limit = thresholds[row], limitIndex = thresholdIndices[row]
        let base = row * capacity
        scratch.scores.update(from: scores + base, count: held)
        scratch.indices.update(from: indices + base, count: held)
        var total = held
        for h in 0..<count {
            let index = offset + Int(hits[h]), score = hitScores[h]
            guard Self.beats(score: score, index: index, limit: limit, limitIndex: limitIndex), admits(index) else {
                continue
            }
            scratch.scores[total] = score
            scratch.indices[total] = Int32(truncatingIfNeeded: index)
            total += 1
        }
        if total <= capacity {
            (scores + base).update(from: scratch.scores, count: total)
            (indices + base).update(from: scratch.indices, count: total)
            counts[row] = Int32(total)
            if total == capacity { shrink(row: row, count: capacity) }
            return
        }
        let selected = Self.keepBest(k, scores: scratch.scores, indices: scratch.indices, count: total)
        (scores + base).update(from: scratch.scores, count: k)
        (indices + base).update(from: scratch.indices, count: k)
        keep(row: row, selected)
    }

    /// Keeps the row's best `k` of `count` by score, then lower index, and raises its threshold
    /// to the worst of them.
    private func shrink(row: Int, count: Int) {
        let base = row * capacity
        keep(row: row, Self.keepBest(k, scores: scores + base, indices: indices + base, count: count))
    }

    /// Records that the row now holds the `k` selected candidates, the worst of them `selected`.
    private func keep(row: Int, _ selected: (cut: Float, worst: Int32)) {
        counts[row] = Int32(k)
        thresholds[row] = selected.cut
        thresholdIndices[row] = selected.worst
    }

    /// Moves the best `k` of `count > k` candidates, by score then lower index, to the front;
    /// returns the worst of them (its score and index), the row's new threshold.
    static func keepBest(
        _ k: Int, scores: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>, count: Int
    ) -> (cut: Float, worst: Int32) {
        CandidateBuffer.partition(k, scores: scores, indices: indices, count: count)
        // The k highest scores are in front, but ties at the cut in no defined order. One pass
        // over them finds the cut and, among those at the cut, the highest index; one over the
        // rest finds whether any of them ties with the cut (rare: identical descriptions).
        var cut = scores[0], worst = indices[0]
        for i in 1..<k {
            if scores[i] < cut {
                (cut, worst) = (scores[i], indices[i])
            } else if scores[i] == cut && indices[i] > worst {
                worst = indices[i]
            }
        }
        var tiedBeyond = false
        for i in k..<count where scores[i] == cut { tiedBeyond = true }
        guard tiedBeyond else { return (cut, worst) }
        // Among all candidates scoring exactly `cut`, keep the lowest indices.
        var above = 0, tied = 0
        for i in 0..<count {
            if scores[i] > cut { above += 1 } else if scores[i] == cut { tied += 1 }
        }
        var worstKept = Int32.min
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: tied) { buffer in
            var ties = buffer
            var t = 0
            for i in 0..<count where scores[i] == cut {
                ties[t] = indices[i]
                t += 1
            }
            ties.sort()
            // Rewrite the first k slots: every candidate above the cut, then the lowest tied.
            var slot = 0
            for i in 0..<count where scores[i] > cut {
                scores[slot] = scores[i]
                indices[slot] = indices[i]
                slot += 1
            }
            for t in 0..<(k - above) {
                scores[slot] = cut
                indices[slot] = ties[t]
                slot += 1
            }
            worstKept = ties[k - above - 1]
        }
        return (cut, worstKept)
    }

    /// The row's best `k` candidates (fewer when fewer were offered), in no particular order.
    func best(row: Int) -> [Int] {
        let count = Int(counts[row])
        if count > k { shrink(row: row, count: count) }
        let base = row * capacity
        return (0..<Int(counts[row])).map { Int(indices[base + $0]) }
    }
}
