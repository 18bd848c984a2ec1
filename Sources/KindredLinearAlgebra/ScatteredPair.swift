import Synchronization

/// Two sparse vectors spread into one dense array of pairs, so that their dot products with many
/// sparse rows cost one look-up per stored entry of each row, instead of merging two sorted index
/// lists per row (a branch the CPU mispredicts at every step).
///
/// The sums are the merge's, bit for bit: a row's entries are visited in the same ascending
/// order, and an entry the vectors don't hold adds an exact zero.
///
/// One owner at a time (a worker thread); `ScatteredPair.Pool` hands them out.
public final class ScatteredPair: @unchecked Sendable {
    // @unchecked: used by one thread at a time, which the pool guarantees.
    public let dimension: Int
    private let dense: UnsafeMutablePointer<SIMD2<Float>>
    private var loaded: [Int32] = []

    /// An all-zero pair of vectors of `dimension` entries (8 bytes an entry).
    public init(dimension: Int) {
        self.dimension = dimension
        dense = .allocate(capacity: max(1, dimension))
        dense.initialize(repeating: .zero, count: max(1, dimension))
    }

    deinit { dense.deallocate() }

    /// Holds `first` and `second` (indices below `dimension`) from now on, until `clear`.
    public func load(_ first: SparseVector, _ second: SparseVector) {
        clear()
        for (index, value) in zip(first.indices, first.values) {
            dense[Int(index)].x = value
            loaded.append(index)
        }
        for (index, value) in zip(second.indices, second.values) {
            dense[Int(index)].y = value
            loaded.append(index)
        }
    }

    /// Back to all zeros, touching only what `load` wrote.
    public func clear() {
        for index in loaded { dense[Int(index)] = .zero }
        loaded.removeAll(keepingCapacity: true)
    }

    /// `(row · first, row · second)` for row `i` of `matrix`, whose columns must be `dimension`.
    ///
    /// - Complexity: O(stored entries of the row).
    public func dot(row i: Int, of matrix: CSRMatrix) -> SIMD2<Float> {
        precondition(matrix.columns <= dimension, "a matrix of \(matrix.columns) columns against \(dimension)")
        let start = matrix.rowOffsets[i], end = matrix.rowOffsets[i + 1]
        var sum = SIMD2<Float>.zero
        matrix.columnIndices.withUnsafeBufferPointer { columns in
            matrix.values.withUnsafeBufferPointer { values in
                for p in start..<end { sum += values[p] * dense[Int(columns[p])] }
            }
        }
        return sum
    }

    /// Scattered pairs for worker threads: each takes one for a call and gives it back.
    public final class Pool: Sendable {
        public let dimension: Int
        private let free = Mutex<[ScatteredPair]>([])

        public init(dimension: Int) { self.dimension = dimension }

        /// `body` with a pair of this pool's dimension that no other thread holds meanwhile.
        public func with<T>(_ body: (ScatteredPair) throws -> T) rethrows -> T {
            let pair = free.withLock { $0.popLast() } ?? ScatteredPair(dimension: dimension)
            defer { free.withLock { $0.append(pair) } }
            return try body(pair)
        }
    }
}
