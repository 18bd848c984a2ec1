import CKindredKernels

/// Rows quantised with each row's scale stored in its own last four bytes: what the approximate
/// index's graph walks (`kindred_graph_search`, `CKindredKernels/GraphSearch.c`).
///
/// A walk reads rows from anywhere, one at a time, and on the machines measured what a read costs
/// is the cache lines it touches. From 128 dimensions up the codes have 4 bits (`Int4Rows`'
/// packing, `x ≈ scale · code`, codes −7…7): at 256 dimensions a row is 128 bytes, two lines,
/// where int8 codes (256 bytes) and a scale from an array of their own touched five, and at a
/// million articles a walk at the same beam took about a fifth less time, for about a thousandth
/// less recall (docs/performance.md, *The walk's rows*). The scale then takes the place of the codes of
/// eight dimensions, `scaleColumns`, which the walk leaves out of its scores: at the end of the
/// padded row, the smallest singular values' when the row is as wide as its padding. Narrower
/// rows keep 8-bit codes (`QuantizedRows`' rounding) and every dimension: their rows take one or
/// two lines either way. Scores are coarse with 4 bits (an error of about 10⁻² for unit rows), so
/// a walk's best rows are rescored exactly, more of them than after an int8 stage.
public struct ScaledCodeRows: Sendable {
    public let rows: Int
    /// Dimensions of a row.
    public let columns: Int
    /// 4 or 8.
    public let bits: Int
    /// The codes the kernels multiply a row by: `columns` rounded up to runs of 64 with 4 bits,
    /// `columns` with 8.
    public let kernelColumns: Int
    public let bytesPerRow: Int
    /// `rows × bytesPerRow` bytes, on huge pages when large (`HugePages`).
    public let codes: [UInt8]

    /// The bits of a code for rows of `columns` dimensions: 4 from 128 dimensions up.
    public static func bits(columns: Int) -> Int { columns >= 128 ? 4 : 8 }

    /// The dimensions whose codes the scale's four bytes replace (4-bit rows): in the last run of
    /// 64, the four of each half that the last four bytes would hold.
    public var scaleColumns: [Int] { Self.scaleColumns(bits: bits, kernelColumns: kernelColumns) }

    static func scaleColumns(bits: Int, kernelColumns: Int) -> [Int] {
        guard bits == 4 else { return [] }
        let run = kernelColumns - 64
        return Array(run + 28..<run + 32) + Array(run + 60..<run + 64)
    }

    /// Quantises `rows` rows of `columns` floats, row `i` read from `row(i)`, on all cores.
    public init(rows: Int, columns: Int, bits: Int? = nil, row: (Int) -> UnsafePointer<Float>) {
        let bits = bits ?? Self.bits(columns: columns)
        precondition(bits == 4 || bits == 8, "rows of 4- or 8-bit codes")
        self.rows = rows
        self.columns = columns
        self.bits = bits
        if bits == 4 {
            kernelColumns = Int4Rows.padded(max(columns, 1))
            bytesPerRow = kernelColumns / 2
        } else {
            kernelColumns = columns
            bytesPerRow = (columns + 4 + 63) / 64 * 64
        }
        let bytes = bytesPerRow
        let scaleColumns = Set(Self.scaleColumns(bits: bits, kernelColumns: kernelColumns))
        let kept = (0..<columns).map { !scaleColumns.contains($0) }
        codes = [UInt8](hugePagesFor: rows * bytes) { q in
            Parallel.forEachChunk(of: rows) { chunk in
                for i in chunk {
                    Self.quantize(
                        row(i), count: columns, bits: bits, kept: kept, into: q.baseAddress! + i * bytes, bytes: bytes)
                }
            }
        }
    }

    /// Writes one row: its codes (0 where not `kept` and in the padding) and, in the last four
    /// bytes, `max|x|` over the kept values divided by the largest code (7 or 127); a zero or
    /// non-finite row keeps code 0 and scale 0.
    static func quantize(
        _ row: UnsafePointer<Float>, count: Int, bits: Int, kept: [Bool], into packed: UnsafeMutablePointer<UInt8>,
        bytes: Int
    ) {
        packed.update(repeating: bits == 4 ? 0x88 : 0, count: bytes)
        var largest: Float = 0, finite = true
        for j in 0..<count where kept[j] {
            finite = finite && row[j].isFinite
            largest = max(largest, abs(row[j]))
        }
        var scale: Float = 0
        if finite, largest > 0 {
            let top: Float = bits == 4 ? 7 : 127, inverse = top / largest
            for j in 0..<count where kept[j] {
                let code = Int((row[j] * inverse).rounded())
                if bits == 8 {
                    packed[j] = UInt8(bitPattern: Int8(code))
                    continue
                }
                // Dimension 64k + b in the low half of byte 32k + b, 64k + 32 + b in its high half.
                let byte = j / 64 * 32 + j % 32, stored = UInt8(code + 8)
                packed[byte] = j % 64 < 32 ? (packed[byte] & 0xF0) | stored : (packed[byte] & 0x0F) | (stored << 4)
            }
            scale = largest / top
        }
        withUnsafeBytes(of: scale) {
            UnsafeMutableRawPointer(packed + bytes - 4).copyMemory(from: $0.baseAddress!, byteCount: 4)
        }
    }

    /// Row `i`'s scale (0 for a row of zeros).
    public func scale(row i: Int) -> Float {
        codes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: (i + 1) * bytesPerRow - 4, as: Float.self) }
    }

    /// The code of row `i`, dimension `j` (0 for the scale's dimensions): for tests.
    public func code(row i: Int, column j: Int) -> Int {
        let start = i * bytesPerRow
        guard bits == 4 else { return Int(Int8(bitPattern: codes[start + j])) }
        guard !scaleColumns.contains(j) else { return 0 }
        let byte = codes[start + j / 64 * 32 + j % 32]
        return Int(j % 64 < 32 ? byte & 15 : byte >> 4) - 8
    }

    /// A query's int8 codes (`columns` of them) as the kernels take them: padded with zeros to
    /// `kernelColumns`, and zero where the rows hold their scale.
    public func query(_ codes: [Int8]) -> [Int8] {
        var padded = codes + [Int8](repeating: 0, count: kernelColumns - codes.count)
        for j in scaleColumns { padded[j] = 0 }
        return padded
    }

    /// The kernel the walk runs on: "avx2" or "baseline".
    public static var kernel: String { String(cString: kindred_graph_kernel()) }
}
