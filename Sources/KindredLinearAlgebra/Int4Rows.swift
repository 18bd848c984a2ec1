import CKindredKernels

/// Rows quantised to 4 bits, one scale per row: `x ≈ scale · code`, codes in −7…7, `scale =
/// max|x| / 7`, packed two to a byte as `kindred_int4_dots` reads them (`CKindredKernels/Int4Dots.c`).
///
/// Half the bytes of `QuantizedRows`, for a scan that reads every byte of many rows once per
/// query and so runs at memory speed: the approximate index's lists. The scores are coarse (an
/// error of about 10⁻² for unit rows of 256 dimensions against 10⁻³ in int8), so the scan keeps
/// more candidates for the exact rescoring: on a million generated articles, the best 8·k by
/// int4 score held 99.97 % of the exact top 30 and 100 % of the top 10 (docs/performance.md).
public struct Int4Rows: Sendable {
    public let rows: Int
    /// Dimensions of a row, before padding.
    public let columns: Int
    /// `columns` rounded up to the kernel's runs of 64; padding codes are 0.
    public let paddedColumns: Int
    /// `rows × paddedColumns / 2` bytes.
    public let codes: [UInt8]
    /// One scale per row; 0 for an all-zero row (or one with a non-finite value).
    public let scales: [Float]

    public var bytesPerRow: Int { paddedColumns / 2 }

    /// Quantises `rows` rows of `columns` floats, row `i` read from `row(i)`, on all cores.
    public init(rows: Int, columns: Int, row: (Int) -> UnsafePointer<Float>) {
        self.rows = rows
        self.columns = columns
        paddedColumns = Self.padded(columns)
        let bytes = paddedColumns / 2
        var codes = [UInt8](repeating: 0x88, count: rows * bytes)
        var scales = [Float](repeating: 0, count: rows)
        codes.withUnsafeMutableBufferPointer { q in
            scales.withUnsafeMutableBufferPointer { s in
                Parallel.forEachChunk(of: rows) { chunk in
                    for i in chunk { s[i] = Self.quantize(row(i), count: columns, into: q.baseAddress! + i * bytes) }
                }
            }
        }
        self.codes = codes
        self.scales = scales
    }

    /// `columns` rounded up to a multiple of 64.
    public static func padded(_ columns: Int) -> Int { (columns + 63) / 64 * 64 }

    /// Writes the packed codes of `count` floats at `row` (into bytes holding 0x88, the code 0
    /// twice) and returns the scale; a zero or non-finite row keeps code 0 and scale 0.
    @inline(__always)
    public static func quantize(_ row: UnsafePointer<Float>, count: Int, into packed: UnsafeMutablePointer<UInt8>)
        -> Float
    {
        guard let largest = QuantizedRows.largestMagnitude(row, count: count) else { return 0 }
        let inverse = 7 / largest
        for j in 0..<count {
            let stored = UInt8(Int((row[j] * inverse).rounded()) + 8)
            // Dimension 64k + b in the low half of byte 32k + b, 64k + 32 + b in its high half.
            let byte = j / 64 * 32 + j % 32
            packed[byte] = j % 64 < 32 ? (packed[byte] & 0xF0) | stored : (packed[byte] & 0x0F) | (stored << 4)
        }
        return largest / 7
    }

    /// The code of row `i`, dimension `j` (−7…7): for tests and checks, not for scans.
    public func code(row i: Int, column j: Int) -> Int {
        let byte = codes[i * bytesPerRow + j / 64 * 32 + j % 32]
        return Int(j % 64 < 32 ? byte & 15 : byte >> 4) - 8
    }

    /// A query's int8 codes padded with zeros to `paddedColumns`, as the kernel takes them.
    public func paddedQuery(_ codes: [Int8]) -> [Int8] {
        codes + [Int8](repeating: 0, count: paddedColumns - codes.count)
    }

    /// The kernel `kindred_int4_dots` runs on: "avx2" or "baseline".
    public static var kernel: String { String(cString: kindred_int4_dots_kernel()) }
}
