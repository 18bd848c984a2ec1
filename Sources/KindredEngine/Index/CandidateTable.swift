/// The best candidates of every row at once: `CandidateBuffer`'s append-then-select for `rows`
/// rows in flat memory, for the all-pairs search that scores each pair once and offers the score
/// to both of its rows (`EmbeddingIndex.symmetricAllNeighbors`).
///
/// The thresholds are one contiguous array so that the scan can compare a row of scores against
/// the thresholds of the rows they were scored against with vector loads. Rows whose threshold
/// is +∞ never accept anything (rows that can't be ranked).
///
/// Memory: `rows × 2k × 8` bytes (scores and `Int32` indices), plus 8 bytes a row.
final class CandidateTable: @unchecked Sendable {
    // @unchecked: raw memory written from several threads, each row by one thread at a time (the
    // all-pairs scheduler hands out pairs of tiles no other thread holds).
    let rows: Int
    let k: Int
    let capacity: Int
    let scores: UnsafeMutablePointer<Float>
    let indices: UnsafeMutablePointer<Int32>
    let counts: UnsafeMutablePointer<Int32>
    /// Scores must beat `thresholds[row]` to enter `row`'s candidates: −∞ until `k` rows have
    /// been selected once.
    let thresholds: UnsafeMutablePointer<Float>

    /// The bytes a table of `rows` rows keeping `k` candidates takes.
    static func bytes(rows: Int, k: Int) -> Int { rows * (2 * k * 8 + 8) }

    init(rows: Int, k: Int) {
        precondition(k > 0, "a candidate table keeps at least one candidate a row")
        self.rows = rows
        self.k = k
        capacity = 2 * k
        scores = .allocate(capacity: rows * capacity)
        indices = .allocate(capacity: rows * capacity)
        counts = .allocate(capacity: rows)
        counts.initialize(repeating: 0, count: rows)
        thresholds = .allocate(capacity: rows)
        thresholds.initialize(repeating: -.infinity, count: rows)
    }

    deinit {
        scores.deallocate()
        indices.deallocate()
        counts.deallocate()
        thresholds.deallocate()
    }

    @inline(__always)
    func offer(row: Int, index: Int, score: Float) {
        guard score > thresholds[row] else { return }
        let base = row * capacity
        let count = Int(counts[row])
        scores[base + count] = score
        indices[base + count] = Int32(truncatingIfNeeded: index)
        if count + 1 == capacity {
            thresholds[row] = CandidateBuffer.keepBest(k, scores: scores + base, indices: indices + base, count: capacity)
            counts[row] = Int32(k)
        } else {
            counts[row] = Int32(count + 1)
        }
    }

    /// The rows held for `row` that are among its best `k`, in no particular order (ties at the
    /// cut may keep a few more than `k`; the caller rescores and cuts).
    func best(row: Int) -> [Int] {
        let base = row * capacity
        var count = Int(counts[row])
        if count > k {
            _ = CandidateBuffer.keepBest(k, scores: scores + base, indices: indices + base, count: count)
            count = k
        }
        return (0..<count).map { Int(indices[base + $0]) }
    }
}
