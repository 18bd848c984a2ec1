import CDNNL
import CKindredKernels

/// Which code computes an `Int8Product`.
public enum Int8Engine: Sendable, Equatable, CustomStringConvertible {
    /// oneDNN's matrix multiply (`OneDNNInt8Product`): for CPUs with int8 dot-product
    /// instructions (AVX-512 VNNI, AVX-VNNI, AMX).
    case oneDNN
    /// Kindred's C kernel (`CKindredKernels/Int8Dots.c`) at the given level.
    case kernel(Int8KernelLevel)

    public var description: String {
        switch self {
        case .oneDNN: "oneDNN"
        case .kernel(let level): "kindred \(level)"
        }
    }
}

/// The builds of Kindred's int8 kernel.
public enum Int8KernelLevel: Int32, Sendable, CaseIterable, CustomStringConvertible {
    /// Plain C: correct on every CPU, including hosts that are not x86-64.
    case baseline = 0
    /// AVX2: `vpmaddubsw` on `|q|` and `sign(q)·r`, exact for codes in −127…127.
    case avx2 = 1

    public var description: String { self == .baseline ? "baseline" : "avx2" }
}

/// Integer dot products of int8 query rows against a fixed set of int8 rows:
/// `dots[i][j] = Σ_c query[i][c] · row[j][c]`, exact in `Float` for up to 1,040 dimensions
/// (|dot| ≤ d·127² < 2²⁴). Codes lie in −127…127, as `QuantizedRows` makes them.
///
/// Why int8: the candidate stage reads a quarter of the bytes of `Float`, and on CPUs with VNNI
/// (`vpdpbusd`) or AMX multiplies four times as many values per instruction. Which engine runs is
/// decided once per process (`Int8Product.automatic`), for the fastest that is exact on this CPU:
/// - **oneDNN** where the CPU has VNNI or AMX and oneDNN may use it (`ONEDNN_MAX_CPU_ISA` can cap
///   it), after a start-up check that its products are the integer dot products;
/// - **Kindred's kernel** everywhere else: AVX2 where the CPU has it, else the baseline. On AVX2
///   without VNNI oneDNN's s8 product saturates 16-bit pair sums (`OneDNNInt8Product`); the
///   measured alternatives on that class are in docs/performance.md.
///
/// The rows are split into column blocks of `blockWidth`, so that one call's output
/// (`queries × blockWidth` floats) stays bounded whatever the number of rows. Calls may run
/// concurrently.
public final class Int8Product: Sendable {
    public let rows: Int
    public let columns: Int
    public let blockWidth: Int
    public let engine: Int8Engine
    /// What runs, e.g. `oneDNN brg:avx512_core_vnni` or `kindred avx2`: what logs and benchmarks
    /// report next to the BLAS kernel.
    public let implementation: String
    /// Why this engine runs on this CPU, in a few words.
    public let reason: String
    private let storage: Storage

    private enum Storage: Sendable {
        case oneDNN(OneDNNInt8Product)
        case kernel([Int8], Int8KernelLevel)
    }

    /// Prepares products against `codes` (`rows × columns`, row-major).
    ///
    /// - Parameter engine: nil for `Int8Product.automatic`'s choice; tests and benchmarks name one.
    /// - Throws: `LinearAlgebraError` when oneDNN can't create the engine or a primitive, or the
    ///   named kernel level doesn't run on this CPU.
    public init(codes: [Int8], rows: Int, columns: Int, blockWidth: Int = 16_384, engine: Int8Engine? = nil) throws {
        precondition(codes.count == rows * columns, "codes hold \(codes.count) values, shape \(rows) × \(columns)")
        let choice = engine.map { ($0, "asked for") } ?? Self.automatic
        self.rows = rows
        self.columns = columns
        self.blockWidth = max(1, min(blockWidth, rows))
        self.engine = choice.0
        self.reason = choice.1
        switch choice.0 {
        case .oneDNN:
            let product = try OneDNNInt8Product(codes: codes, rows: rows, columns: columns, blockWidth: blockWidth)
            storage = .oneDNN(product)
            implementation =
                product.implementation == product.singleQueryImplementation
                ? "oneDNN \(product.implementation)"
                : "oneDNN \(product.implementation) (slices), \(product.singleQueryImplementation) (single queries)"
        case .kernel(let level):
            guard Self.runs(level) else {
                throw LinearAlgebraError(
                    routine: "kindred_int8_dots", info: level.rawValue,
                    reason: "this CPU (or the environment's ISA cap) does not run the \(level) int8 kernel")
            }
            storage = .kernel(codes, level)
            implementation = "kindred \(level)"
        }
    }

    /// Whether Kindred's int8 kernel at `level` runs on this CPU within the environment's cap.
    public static func runs(_ level: Int8KernelLevel) -> Bool {
        var out: Float = 0
        let code: [Int8] = [1]
        return code.withUnsafeBufferPointer {
            kindred_int8_dots_with(level.rawValue, $0.baseAddress, 1, $0.baseAddress, 1, 1, &out) == 1
        }
    }

    /// The number of column blocks.
    public var blockCount: Int { (rows + blockWidth - 1) / blockWidth }

    /// The rows of column block `block`.
    public func blockRange(_ block: Int) -> Range<Int> {
        (block * blockWidth)..<min(rows, (block + 1) * blockWidth)
    }

    /// Writes the dot products of `queries` (`count × columns` int8, row-major) with the rows of
    /// column block `block` to `output` (`count × blockRange(block).count` floats, row-major).
    ///
    /// - Parameter threads: threads for this call; a single query is memory-bound, so a server
    ///   passes 1 and lets concurrent requests use the cores.
    /// - Throws: `LinearAlgebraError` when oneDNN fails.
    public func multiply(
        queries: UnsafePointer<Int8>, count: Int, block: Int, into output: UnsafeMutablePointer<Float>, threads: Int
    ) throws {
        try multiplyEachBlock(
            queries: queries, count: count, blocks: block..<(block + 1), into: output, threads: threads
        ) { _ in }
    }

    /// `multiply` against each of `blocks` (all of them by default) in turn, `body(block)` called
    /// after each with `output` holding that block's dot products (`count ×
    /// blockRange(block).count` floats). On oneDNN one stream, scratchpad and set of memory
    /// objects serve every block (separate calls would set them up each time).
    ///
    /// - Throws: `LinearAlgebraError` when oneDNN fails, or what `body` throws.
    public func multiplyEachBlock(
        queries: UnsafePointer<Int8>, count: Int, blocks: Range<Int>? = nil, into output: UnsafeMutablePointer<Float>,
        threads: Int, _ body: (Int) throws -> Void
    ) throws {
        let blocks = blocks ?? 0..<blockCount
        guard count > 0, !blocks.isEmpty else { return }
        switch storage {
        case .oneDNN(let product):
            try product.multiplyEachBlock(
                queries: queries, count: count, blocks: blocks, into: output, threads: threads, body)
        case .kernel(let codes, let level):
            let columns = self.columns
            for block in blocks {
                let range = blockRange(block)
                codes.withUnsafeBufferPointer { codes in
                    let rows = codes.baseAddress! + range.lowerBound * columns
                    // Queries split between threads, each writing its own rows of the output.
                    let pieces = min(max(1, threads), count)
                    let size = (count + pieces - 1) / pieces
                    Parallel.forEach(pieces) { piece in
                        let first = piece * size, n = min(size, count - first)
                        guard n > 0 else { return }
                        _ = kindred_int8_dots_with(
                            level.rawValue, queries + first * columns, n, rows, range.count, columns,
                            output + first * range.count)
                    }
                }
                try body(block)
            }
        }
    }
}
