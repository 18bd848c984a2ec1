/// A dense `Float` matrix stored row-major (C order): element (i, j) is at `i * columns + j`.
///
/// Row-major keeps one article's vector contiguous, which is what top-k search and the model file
/// want. LAPACK is column-major; the wrappers in `LAPACK.swift` say how they bridge the two without
/// copying (a row-major `r × c` buffer *is* the column-major `c × r` transpose).
public struct DenseMatrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    public var storage: [Float]

    /// A zero-filled `rows × columns` matrix.
    public init(rows: Int, columns: Int) {
        precondition(rows >= 0 && columns >= 0, "negative matrix shape \(rows) × \(columns)")
        self.rows = rows
        self.columns = columns
        self.storage = [Float](repeating: 0, count: rows * columns)
    }

    /// Wraps `storage`, which must hold exactly `rows * columns` values in row-major order.
    public init(rows: Int, columns: Int, storage: [Float]) {
        precondition(
            storage.count == rows * columns,
            "storage holds \(storage.count) values, shape \(rows) × \(columns) needs \(rows * columns)")
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    public subscript(row: Int, column: Int) -> Float {
        get { storage[row * columns + column] }
        set { storage[row * columns + column] = newValue }
    }

    /// A copy of row `i`.
    public func row(_ i: Int) -> [Float] {
        Array(storage[(i * columns)..<((i + 1) * columns)])
    }

    /// The matrix transposed, as a new row-major matrix.
    public func transposed() -> DenseMatrix {
        var result = DenseMatrix(rows: columns, columns: rows)
        storage.withUnsafeBufferPointer { source in
            result.storage.withUnsafeMutableBufferPointer { target in
                for i in 0..<rows {
                    for j in 0..<columns {
                        target[j * rows + i] = source[i * columns + j]
                    }
                }
            }
        }
        return result
    }

    /// The first `count` columns.
    public func leadingColumns(_ count: Int) -> DenseMatrix {
        precondition(count <= columns, "asked for \(count) of \(columns) columns")
        if count == columns { return self }
        var result = DenseMatrix(rows: rows, columns: count)
        for i in 0..<rows {
            for j in 0..<count {
                result.storage[i * count + j] = storage[i * columns + j]
            }
        }
        return result
    }

    /// Scales every row to unit Euclidean length; rows of length zero stay zero.
    ///
    /// - Returns: the number of zero rows.
    @discardableResult
    public mutating func normalizeRows() -> Int {
        var zeroRows = 0
        let columns = self.columns
        storage.withUnsafeMutableBufferPointer { buffer in
            for i in 0..<rows {
                let row = UnsafeMutableBufferPointer(rebasing: buffer[(i * columns)..<((i + 1) * columns)])
                if !Vector.normalize(row) { zeroRows += 1 }
            }
        }
        return zeroRows
    }
}
