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
        var i = 0, j = 0, sum: Float = 0
        let a = indices, b = other.indices
        while i < a.count && j < b.count {
            if a[i] == b[j] {
                sum += values[i] * other.values[j]
                i += 1
                j += 1
            } else if a[i] < b[j] {
                i += 1
            } else {
                j += 1
            }
        }
        return sum
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
        try self.init(rows: sparseRows.count, columns: columns, rowOffsets: offsets, columnIndices: indices, values: values)
    }

    /// Row `i` as a sparse vector.
    public func row(_ i: Int) -> SparseVector {
        let range = rowOffsets[i]..<rowOffsets[i + 1]
        return SparseVector(indices: Array(columnIndices[range]), values: Array(values[range]))
    }
}
