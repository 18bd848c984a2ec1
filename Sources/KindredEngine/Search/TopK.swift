import HeapModule

/// A scored row of the embedding index.
public struct ScoredIndex: Sendable, Equatable {
    public var index: Int
    public var score: Float
}

/// Keeps the `k` best (highest-scoring) candidates seen, in a bounded min-max heap
/// (swift-collections' `Heap`): each offer is O(1) when it can't enter, O(log k) otherwise.
///
/// Ties are broken towards the lower index, so a ranking never depends on arrival order.
public struct TopK {
    struct Candidate: Comparable {
        var score: Float
        var index: Int32
        /// "Smaller" means worse: a lower score, or on equal score a higher index.
        static func < (lhs: Candidate, rhs: Candidate) -> Bool {
            lhs.score != rhs.score ? lhs.score < rhs.score : lhs.index > rhs.index
        }
    }

    public let k: Int
    private var heap = Heap<Candidate>()

    public init(k: Int) {
        precondition(k >= 0, "k must not be negative, got \(k)")
        self.k = k
    }

    /// The lowest score that can still enter, or `-infinity` while fewer than `k` are held.
    public var threshold: Float { heap.count < k ? -.infinity : heap.min?.score ?? -.infinity }

    /// Offers a candidate.
    @inline(__always)
    public mutating func offer(index: Int, score: Float) {
        guard k > 0 else { return }
        let candidate = Candidate(score: score, index: Int32(truncatingIfNeeded: index))
        if heap.count < k {
            heap.insert(candidate)
        } else if let worst = heap.min, worst < candidate {
            _ = heap.replaceMin(with: candidate)
        }
    }

    /// The candidates held, best first.
    public func sorted() -> [ScoredIndex] {
        heap.unordered.sorted { $1 < $0 }.map { ScoredIndex(index: Int($0.index), score: $0.score) }
    }
}
