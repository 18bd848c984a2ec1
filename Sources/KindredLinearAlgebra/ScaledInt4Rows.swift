import CKindredKernels

/// Rows quantised to 4 bits with each row's scale stored in its own last four bytes: what the
/// approximate index's graph walks (`kindred_graph_search`, `CKindredKernels/GraphSearch.c`).
///
/// A walk reads rows from anywhere, one at a time, and on the machines measured what a read costs
/// is the cache lines it touches: at 256 dimensions a row here is 128 bytes, two lines, where int8
/// codes (256 bytes) and a scale from an array of their own touched five; at a million articles
/// the walk took about a quarter less time for the same recall (docs/performance.md, *The
/// approximate index*). The codes are `Int4Rows`' (`x ≈ scale · code`, codes −7…7, two a byte);
/// the scale takes the place of the codes of eight dimensions, `scaleColumns`, which the walk
/// leaves out of its scores: at the end of the padded row, the smallest singular values' when
/// the row is as wide as its padding, padding otherwise. Scores are coarse (an error of about 10⁻²
/// for unit rows), so a walk's best rows are rescored exactly, more of them than an int8 stage's.
public struct ScaledInt4Rows: Sendable {
    public let rows: Int
    /// Dimensions of a row, before padding.
    public let columns: Int
    /// `columns` rounded up to the kernel's runs of 64.
    public let paddedColumns: Int
    /// `rows × bytesPerRow` bytes, on huge pages when large (`HugePages`).
    public let codes: [UInt8]

    public var bytesPerRow: Int { paddedColumns / 2 }

    /// The dimensions whose codes the scale's four bytes replace: in the last run of 64, the
    /// four of each half that the last four bytes would hold.
    public var scaleColumns: [Int] { Self.scaleColumns(padded: paddedColumns) }

    static func scaleColumns(padded: Int) -> [Int] {
        let run = padded - 64
        return Array(run + 28..<run + 32) + Array(run + 60..<run + 64)
    }

    /// Quantises `rows` rows of `columns` floats, row `i` read from `row(i)`, on all cores.
    public init(rows: Int, columns: Int, row: (Int) -> UnsafePointer<Float>) {
        self.rows = rows
        self.columns = columns
        paddedColumns = Int4Rows.padded(max(columns, 1))
        let bytes = paddedColumns / 2, padded = paddedColumns
        let kept = (0..<columns).map { !Self.scaleColumns(padded: padded).contains($0) }
        codes = [UInt8](hugePagesFor: rows * bytes) { q in
            Parallel.forEachChunk(of: rows) { chunk in
                for i in chunk {
                    Self.quantize(row(i), count: columns, kept: kept, into: q.baseAddress! + i * bytes, bytes: bytes)
                }
            }
        }
    }

    /// Writes one row: its codes (0 where not `kept` and in the padding) and, in the last four
    /// bytes, `max|x| / 7` over the kept values; a zero or non-finite row keeps code 0 and scale 0.
    static func quantize(
        _ row: UnsafePointer<Float>, count: Int, kept: [Bool], into packed: UnsafeMutablePointer<UInt8>, bytes: Int
    ) {
        packed.update(repeating: 0x88, count: bytes)
        var largest: Float = 0, finite = true
        for j in 0..<count where kept[j] {
            finite = finite && row[j].isFinite
            largest = max(largest, abs(row[j]))
        }
        var scale: Float = 0
        if finite, largest > 0 {
            let inverse = 7 / largest
            for j in 0..<count where kept[j] {
                let stored = UInt8(Int((row[j] * inverse).rounded()) + 8)
                // Dimension 64k + b in the low half of byte 32k + b, 64k + 32 + b in its high half.
                let byte = j / 64 * 32 + j % 32
                packed[byte] = j % 64 < 32 ? (packed[byte] & 0xF0) | stored : (packed[byte] & 0x0F) | (stored << 4)
            }
            scale = largest / 7
        }
        withUnsafeBytes(of: scale) {
            UnsafeMutableRawPointer(packed + bytes - 4).copyMemory(from: $0.baseAddress!, byteCount: 4)
        }
    }

    /// Row `i`'s scale (0 for a row of zeros).
    public func scale(row i: Int) -> Float {
        codes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: (i + 1) * bytesPerRow - 4, as: Float.self) }
    }

    /// The code of row `i`, dimension `j` (−7…7; 0 for the scale's dimensions): for tests.
    public func code(row i: Int, column j: Int) -> Int {
        guard !scaleColumns.contains(j) else { return 0 }
        let byte = codes[i * bytesPerRow + j / 64 * 32 + j % 32]
        return Int(j % 64 < 32 ? byte & 15 : byte >> 4) - 8
    }

    /// A query's int8 codes as the kernels take them: padded with zeros to `paddedColumns`, and
    /// zero where the rows hold their scale.
    public func query(_ codes: [Int8]) -> [Int8] {
        var padded = codes + [Int8](repeating: 0, count: paddedColumns - codes.count)
        for j in scaleColumns { padded[j] = 0 }
        return padded
    }

    /// The kernel the walk runs on: "avx2" or "baseline".
    public static var kernel: String { String(cString: kindred_graph_kernel()) }
}
