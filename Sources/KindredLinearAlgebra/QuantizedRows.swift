/// The rows of a dense matrix quantised to 8-bit integers, one scale per row: `x ≈ scale · code`,
/// with `scale = max|x| / 127` (symmetric, so zero stays exactly zero).
///
/// Per-row scales keep the relative error of every row the same whatever its largest component;
/// for unit-length rows of 256 dimensions a dot product of two quantised rows is within about
/// 10⁻³ of the exact one (rounding errors of ±scale/2 per component, summed at random). Kindred
/// uses such products only to pick candidates, and rescores those in `Float` (`EmbeddingIndex`).
/// A row holding NaN or an infinity is coded as zeros.
public struct QuantizedRows: Sendable {
    public let rows: Int
    public let columns: Int
    /// `rows × columns` codes, row-major.
    public let codes: [Int8]
    /// One scale per row; 0 for an all-zero row.
    public let scales: [Float]

    public init(_ matrix: DenseMatrix) {
        rows = matrix.rows
        columns = matrix.columns
        let d = matrix.columns
        var codes: [Int8] = []
        // On huge pages: a graph walk reads its rows and their scales from anywhere in them.
        let scales = [Float](hugePagesFor: matrix.rows) { s in
            codes = [Int8](hugePagesFor: matrix.rows * d) { q in
                matrix.storage.withUnsafeBufferPointer { x in
                    // Rows on all cores, each chunk writing only its own rows.
                    Parallel.forEachChunk(of: matrix.rows) { rows in
                        for i in rows {
                            s[i] = Self.quantize(x.baseAddress! + i * d, count: d, into: q.baseAddress! + i * d)
                        }
                    }
                }
            }
        }
        self.codes = codes
        self.scales = scales
    }

    /// Quantises one vector the same way: its codes and scale.
    public static func quantize(_ vector: [Float]) -> (codes: [Int8], scale: Float) {
        var codes = [Int8](repeating: 0, count: vector.count)
        let scale = vector.withUnsafeBufferPointer { x in
            codes.withUnsafeMutableBufferPointer { q in
                x.baseAddress.map { quantize($0, count: vector.count, into: q.baseAddress!) } ?? 0
            }
        }
        return (codes, scale)
    }

    /// Writes the codes of `count` floats at `row` to `codes` and returns the row's scale. A zero
    /// row, or one with a NaN or an infinity (which a model's invariants refuse right after), gets
    /// zero codes and scale 0.
    @inline(__always)
    public static func quantize(_ row: UnsafePointer<Float>, count: Int, into codes: UnsafeMutablePointer<Int8>)
        -> Float
    {
        guard let largest = largestMagnitude(row, count: count) else {
            codes.update(repeating: 0, count: count)
            return 0
        }
        let inverse = 127 / largest
        for j in 0..<count { codes[j] = Int8((row[j] * inverse).rounded()) }
        return largest / 127
    }

    /// The largest |x| of `count` floats at `row`, or nil when the row is all zeros or holds a NaN
    /// or an infinity: what every symmetric quantiser scales by, and the rows it codes as zeros.
    @inline(__always)
    public static func largestMagnitude(_ row: UnsafePointer<Float>, count: Int) -> Float? {
        var largest: Float = 0, finite = true
        for j in 0..<count {
            largest = max(largest, abs(row[j]))
            finite = finite && row[j].isFinite
        }
        return largest > 0 && finite ? largest : nil
    }
}
