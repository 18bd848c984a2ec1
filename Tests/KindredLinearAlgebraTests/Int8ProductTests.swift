import CKindredKernels
import Dispatch
import Testing

@testable import KindredLinearAlgebra

/// Parameterised over `Int8Product.exactEngines`: every int8 path this machine runs within the
/// environment's ISA cap. CI runs these suites uncapped and capped at AVX2.
@Suite("int8 products (oneDNN and Kindred's kernels) and quantised rows")
struct Int8ProductTests {
    /// Random codes in −127…127, seeded.
    func randomCodes(_ count: Int, seed: UInt64) -> [Int8] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Int8(Int(generator.next() % 255) - 127) }
    }

    /// The integer dot products, computed the slow and obvious way.
    func reference(_ queries: [Int8], _ rows: [Int8], columns: Int, range: Range<Int>) -> [Float] {
        let count = queries.count / columns
        var out: [Float] = []
        for i in 0..<count {
            for j in range {
                var sum = 0
                for c in 0..<columns { sum += Int(queries[i * columns + c]) * Int(rows[j * columns + c]) }
                out.append(Float(sum))
            }
        }
        return out
    }

    @Test("the machine's CPU class and the engine chosen for it are named")
    func choiceIsNamed() {
        let cpu = CPUClass.current
        #expect(["vnni", "avx512", "avx2", "baseline"].contains(cpu.name), "\(cpu.summary)")
        #expect(!Int8Product.automatic.reason.isEmpty)
        // Without int8 dot-product instructions oneDNN's s8 product is not exact: never chosen.
        if !(cpu.avx512VNNI || cpu.avxVNNI || cpu.amxInt8) { #expect(Int8Product.automatic.engine != .oneDNN) }
        if case .kernel(let level) = Int8Product.automatic.engine {
            #expect(level == (Int8Product.runs(.avx2) ? .avx2 : .baseline), "the widest kernel that runs")
        }
    }

    @Test(
        "every column block's products equal the integer dot products, last partial block included, one block per call or all in one",
        arguments: Int8Product.exactEngines)
    func productsAreExact(engine: Int8Engine) throws {
        let rows = 103, columns = 48
        let codes = randomCodes(rows * columns, seed: 1)
        let queries = randomCodes(5 * columns, seed: 2)
        let product = try Int8Product(codes: codes, rows: rows, columns: columns, blockWidth: 40, engine: engine)
        #expect(product.blockCount == 3)
        #expect(product.blockRange(2) == 80..<103)
        var out = [Float](repeating: .nan, count: 5 * 40)
        var seen: [Int] = []
        try queries.withUnsafeBufferPointer { q in
            try out.withUnsafeMutableBufferPointer { o in
                for block in 0..<product.blockCount {
                    let range = product.blockRange(block)
                    o.update(repeating: .nan)
                    try product.multiply(
                        queries: q.baseAddress!, count: 5, block: block, into: o.baseAddress!, threads: 2)
                    #expect(
                        Array(o.prefix(5 * range.count)) == reference(queries, codes, columns: columns, range: range))
                }
                try product.multiplyEachBlock(queries: q.baseAddress!, count: 5, into: o.baseAddress!, threads: 1) {
                    block in
                    seen.append(block)
                    let range = product.blockRange(block)
                    #expect(
                        Array(o.prefix(5 * range.count)) == reference(queries, codes, columns: columns, range: range),
                        "block \(block)")
                }
            }
        }
        #expect(seen == [0, 1, 2])
    }

    @Test(
        "products stay exact where every pair sum is ±2·127² (saturating 16 bits if one side were shifted to unsigned)",
        arguments: Int8Product.exactEngines)
    func extremeCodesAreExact(engine: Int8Engine) throws {
        // 256 columns (Kindred's default dimensions) and 33 (a partial vector chunk), odd counts.
        for columns in [256, 33] {
            let rows = 13
            let codes = (0..<(rows * columns)).map { Int8(($0 / columns) % 2 == 0 ? 127 : ($0 % 3 == 0 ? -127 : 127)) }
            let queries = (0..<(3 * columns)).map { Int8($0 % 4 == 0 ? -127 : 127) }
            let product = try Int8Product(codes: codes, rows: rows, columns: columns, engine: engine)
            var out = [Float](repeating: .nan, count: 3 * rows)
            try queries.withUnsafeBufferPointer { q in
                try out.withUnsafeMutableBufferPointer { o in
                    try product.multiply(queries: q.baseAddress!, count: 3, block: 0, into: o.baseAddress!, threads: 1)
                }
            }
            #expect(out == reference(queries, codes, columns: columns, range: 0..<rows), "\(columns) columns")
        }
    }

    @Test("concurrent single-query calls from many threads give the same products", arguments: Int8Product.exactEngines)
    func concurrentCalls(engine: Int8Engine) throws {
        let rows = 500, columns = 64
        let codes = randomCodes(rows * columns, seed: 3)
        let product = try Int8Product(codes: codes, rows: rows, columns: columns, blockWidth: 256, engine: engine)
        let queries = (0..<16).map { randomCodes(columns, seed: 100 + UInt64($0)) }
        let expected = queries.map { reference($0, codes, columns: columns, range: 0..<256) }
        let matches = Parallel.map(64) { i -> Bool in
            var out = [Float](repeating: 0, count: 256)
            let query = queries[i % 16]
            do {
                try query.withUnsafeBufferPointer { q in
                    try out.withUnsafeMutableBufferPointer { o in
                        try product.multiply(
                            queries: q.baseAddress!, count: 1, block: 0, into: o.baseAddress!, threads: 1)
                    }
                }
            } catch { return false }
            return out == expected[i % 16]
        }
        #expect(matches.allSatisfy { $0 })
    }

    @Test("listed rows scattered through the codes score as the contiguous kernel scores them", arguments: [0, 1])
    func gatheredRows(kernel: Int) {
        let columns = 200, rows = 700
        let codes = randomCodes(rows * columns, seed: 11), query = randomCodes(columns, seed: 12)
        // Out of order, repeated, the first and last rows, and more than a prefetch distance apart.
        let listed: [Int32] = [699, 0, 5, 5, 311, 42, 698, 1, 100, 250, 3, 680, 77, 77, 500, 0]
        var out = [Float](repeating: -1, count: listed.count)
        guard kindred_int8_dots_gathered_with(Int32(kernel), query, codes, listed, listed.count, columns, &out) == 1
        else { return }  // This CPU (or the ISA cap) doesn't run the kernel.
        let expected = listed.map { reference(query, codes, columns: columns, range: Int($0)..<Int($0) + 1)[0] }
        #expect(out == expected)
        // No rows: nothing written.
        var untouched: [Float] = [-1]
        _ = kindred_int8_dots_gathered_with(Int32(kernel), query, codes, listed, 0, columns, &untouched)
        #expect(untouched == [-1])
    }

    @Test("a kernel level this CPU or the ISA cap doesn't allow is refused, not run")
    func unavailableLevelThrows() throws {
        for level in Int8KernelLevel.allCases where !Int8Product.runs(level) {
            #expect(throws: LinearAlgebraError.self) {
                try Int8Product(codes: [1, 2], rows: 1, columns: 2, engine: .kernel(level))
            }
        }
        #expect(Int8Product.runs(.baseline))
    }

    @Test("quantisation keeps every component within half a step and zero rows at zero")
    func quantisationError() {
        var generator = SeededGenerator(seed: 4)
        var matrix = DenseMatrix(rows: 20, columns: 33)
        for i in 0..<19 {
            for j in 0..<33 { matrix[i, j] = generator.nextGaussian() * Float(i + 1) }
        }
        let quantized = QuantizedRows(matrix)
        #expect(quantized.scales[19] == 0)
        #expect(quantized.codes[(19 * 33)...].allSatisfy { $0 == 0 })
        for i in 0..<19 {
            let scale = quantized.scales[i]
            #expect(scale > 0)
            #expect(quantized.codes[(i * 33)..<((i + 1) * 33)].contains { abs($0) == 127 })
            for j in 0..<33 {
                #expect(abs(matrix[i, j] - scale * Float(quantized.codes[i * 33 + j])) <= scale / 2 * 1.0001)
            }
        }
        let single = QuantizedRows.quantize(matrix.row(3))
        #expect(single.scale == quantized.scales[3])
        #expect(single.codes == Array(quantized.codes[(3 * 33)..<(4 * 33)]))
    }

    @Test("the product reports the implementation it runs", arguments: Int8Product.exactEngines)
    func implementationIsNamed(engine: Int8Engine) throws {
        let product = try Int8Product(codes: randomCodes(64 * 32, seed: 5), rows: 64, columns: 32, engine: engine)
        #expect(product.implementation.hasPrefix(engine == .oneDNN ? "oneDNN " : "kindred "))
        #expect(!product.implementation.contains("unknown"))
    }

    @Test("oneDNN never leaves slices or single queries to its reference code (on AMX the slices' layout would)")
    func oneDNNAvoidsReferenceCode() throws {
        guard Int8Product.automatic.engine == .oneDNN else { return }
        let product = try OneDNNInt8Product(
            codes: randomCodes(4_096 * 64, seed: 6), rows: 4_096, columns: 64, blockWidth: 4_096)
        #expect(!product.implementation.hasPrefix("ref"), "\(product.implementation)")
        #expect(!product.singleQueryImplementation.hasPrefix("ref"), "\(product.singleQueryImplementation)")
    }
}

@Suite("Quantising non-finite rows")
struct QuantizedRowsNonFiniteTests {
    @Test("a row holding NaN or infinity is coded as zeros instead of trapping")
    func nonFiniteRows() {
        let matrix = DenseMatrix(rows: 3, columns: 2, storage: [.nan, 1, 0.5, .infinity, 0.25, -0.5])
        let quantized = QuantizedRows(matrix)
        #expect(quantized.scales[0] == 0 && quantized.scales[1] == 0)
        #expect(quantized.codes == [0, 0, 0, 0, 64, -127])
        #expect(QuantizedRows.quantize([1, .nan]).scale == 0)
    }
}
