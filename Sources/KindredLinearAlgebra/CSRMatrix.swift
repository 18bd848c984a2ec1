/// A sparse `Float` matrix in compressed sparse row (CSR) form.
///
/// Row `i`'s entries are `values[rowOffsets[i]..<rowOffsets[i + 1]]` at columns
/// `columnIndices[...]`, columns ascending within a row. Kindred's TF-IDF matrix is one of these,
/// `(articles × terms)`, with a few dozen to a few hundred entries per row.
public struct CSRMatrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    /// `rows + 1` offsets into `columnIndices` and `values`; the last is the number of entries.
    public let rowOffsets: [Int]
    public let columnIndices: [Int32]
    public let values: [Float]

    /// Wraps CSR arrays after checking that they describe a valid matrix.
    ///
    /// - Throws: `LinearAlgebraError` naming the first inconsistency found.
    public init(rows: Int, columns: Int, rowOffsets: [Int], columnIndices: [Int32], values: [Float]) throws {
        func fail(_ reason: String) -> LinearAlgebraError {
            LinearAlgebraError(routine: "CSRMatrix", reason: reason)
        }
        guard rows >= 0, columns >= 0, columns <= Int(Int32.max) else {
            throw fail("invalid shape \(rows) × \(columns)")
        }
        guard rowOffsets.count == rows + 1, rowOffsets.first == 0 else {
            throw fail("rowOffsets must have \(rows + 1) entries starting at 0, got \(rowOffsets.count)")
        }
        guard columnIndices.count == values.count, rowOffsets.last == values.count else {
            throw fail(
                "\(values.count) values, \(columnIndices.count) column indices, last offset \(rowOffsets.last ?? -1)")
        }
        for i in 0..<rows {
            let start = rowOffsets[i], end = rowOffsets[i + 1]
            guard start <= end else { throw fail("row \(i) has offsets \(start) > \(end)") }
            var previous: Int32 = -1
            for p in start..<end {
                let column = columnIndices[p]
                guard column > previous, Int(column) < columns else {
                    throw fail("row \(i) has column \(column) out of order or outside 0..<\(columns)")
                }
                previous = column
            }
        }
        self.rows = rows
        self.columns = columns
        self.rowOffsets = rowOffsets
        self.columnIndices = columnIndices
        self.values = values
    }

    private init(unchecked rows: Int, _ columns: Int, _ rowOffsets: [Int], _ columnIndices: [Int32], _ values: [Float])
    {
        self.rows = rows
        self.columns = columns
        self.rowOffsets = rowOffsets
        self.columnIndices = columnIndices
        self.values = values
    }

    /// The number of stored entries.
    public var nonzeroCount: Int { values.count }

    /// The same matrix as a dense one (for tests and small inputs).
    public func toDense() -> DenseMatrix {
        var dense = DenseMatrix(rows: rows, columns: columns)
        for i in 0..<rows {
            for p in rowOffsets[i]..<rowOffsets[i + 1] {
                dense[i, Int(columnIndices[p])] = values[p]
            }
        }
        return dense
    }

    /// The transpose, again in CSR form (i.e. this matrix in CSC form).
    ///
    /// - Complexity: O(rows + columns + nonzeroCount), two passes of a counting sort.
    public func transposed() -> CSRMatrix {
        var counts = [Int](repeating: 0, count: columns + 1)
        for column in columnIndices { counts[Int(column) + 1] += 1 }
        for j in 0..<columns { counts[j + 1] += counts[j] }
        let offsets = counts
        var next = counts
        var indices = [Int32](repeating: 0, count: nonzeroCount)
        var newValues = [Float](repeating: 0, count: nonzeroCount)
        for i in 0..<rows {
            for p in rowOffsets[i]..<rowOffsets[i + 1] {
                let j = Int(columnIndices[p])
                indices[next[j]] = Int32(i)
                newValues[next[j]] = values[p]
                next[j] += 1
            }
        }
        return CSRMatrix(unchecked: columns, rows, offsets, indices, newValues)
    }
}
