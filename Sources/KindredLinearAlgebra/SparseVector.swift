/// A sparse vector: parallel arrays of ascending indices and their values.
public struct SparseVector: Sendable, Equatable {
    public var indices: [Int32]
    public var values: [Float]

    public init(indices: [Int32], values: [Float]) {
        precondition(indices.count == values.count, "\(indices.count) indices for \(values.count) values")
        self.indices = indices
        self.values = values
    }

    public static let empty = SparseVector(indices: [], values: [])

    public var isEmpty: Bool { indices.isEmpty }

    /// The dot product with another sparse vector, by merging the two index lists.
    ///
    /// - Complexity: O(count + other.count).
    public func dot(_ other: SparseVector) -> Float {
        var sum: Float = 0
        forEachShared(with: other) { _, product in sum += product }
        return sum
    }

    /// Calls `body(index, product)` for every index both vectors hold, in ascending order: the
    /// terms of the dot product.
    @inline(__always)
    public func forEachShared(with other: SparseVector, _ body: (Int32, Float) -> Void) {
        var i = 0, j = 0
        let a = indices, b = other.indices
        while i < a.count && j < b.count {
            if a[i] == b[j] {
                body(a[i], values[i] * other.values[j])
                i += 1
                j += 1
            } else if a[i] < b[j] {
                i += 1
            } else {
                j += 1
            }
        }
    }
}

extension CSRMatrix {
    /// A matrix whose rows are the given sparse vectors (indices ascending, below `columns`).
    ///
    /// - Throws: `LinearAlgebraError` when a row is out of order or out of range.
    public init(sparseRows: [SparseVector], columns: Int) throws {
        var offsets = [0]
        offsets.reserveCapacity(sparseRows.count + 1)
        var indices: [Int32] = []
        var values: [Float] = []
        for row in sparseRows {
            indices.append(contentsOf: row.indices)
            values.append(contentsOf: row.values)
            offsets.append(indices.count)
        }
        try self.init(
            rows: sparseRows.count, columns: columns, rowOffsets: offsets, columnIndices: indices, values: values)
    }

    /// Row `i` as a sparse vector.
    public func row(_ i: Int) -> SparseVector {
        let range = rowOffsets[i]..<rowOffsets[i + 1]
        return SparseVector(indices: Array(columnIndices[range]), values: Array(values[range]))
    }

    /// `row(i).dot(vector)`, read in place: re-ranking scores a query against a hundred rows per
    /// request (and every article's candidates in a build), and copying each row out cost two
    /// allocations apiece. The same merge in the same order, so the same sum to the last bit.
    public func dot(row i: Int, _ vector: SparseVector) -> Float {
        var p = rowOffsets[i], j = 0
        let end = rowOffsets[i + 1]
        var sum: Float = 0
        columnIndices.withUnsafeBufferPointer { columns in
            values.withUnsafeBufferPointer { rowValues in
                vector.indices.withUnsafeBufferPointer { indices in
                    vector.values.withUnsafeBufferPointer { vectorValues in
                        while p < end && j < indices.count {
                            if columns[p] < indices[j] {
                                p += 1
                            } else if columns[p] > indices[j] {
                                j += 1
                            } else {
                                sum += rowValues[p] * vectorValues[j]
                                p += 1
                                j += 1
                            }
                        }
                    }
                }
            }
        }
        return sum
    }
}

extension SparseVector {
    /// `Σ cᵢ·vᵢ` over weighted vectors, with indices ascending and exact zeros dropped.
    ///
    /// - Complexity: O(m log m) for m stored entries in all vectors together.
    public static func combination(_ terms: [(vector: SparseVector, coefficient: Float)]) -> SparseVector {
        var sums: [Int32: Float] = [:]
        for (vector, coefficient) in terms where coefficient != 0 {
            for (index, value) in zip(vector.indices, vector.values) { sums[index, default: 0] += coefficient * value }
        }
        let kept = sums.filter { $0.value != 0 }.sorted { $0.key < $1.key }
        return SparseVector(indices: kept.map(\.key), values: kept.map(\.value))
    }

    /// The Euclidean norm.
    public var norm: Float { values.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    /// This vector scaled to unit length, or nil when it is zero.
    public func normalized() -> SparseVector? {
        let length = norm
        guard length > 0, length.isFinite else { return nil }
        return SparseVector(indices: indices, values: values.map { $0 / length })
    }
}
