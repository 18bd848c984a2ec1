import CDNNL
import CKindredKernels

extension Int8Product {
    /// The engine this process's products run on, and why: chosen once, at first use.
    ///
    /// oneDNN when the CPU has VNNI or AMX, oneDNN's ISA cap (`ONEDNN_MAX_CPU_ISA`) allows it, and
    /// a product built to saturate any 16-bit pair sum comes out exact; otherwise Kindred's kernel
    /// at the widest level the CPU runs (AVX2, else the baseline).
    public static let automatic: (engine: Int8Engine, reason: String) = choose()

    /// Every engine whose products are exact here, within the environment's ISA cap: oneDNN
    /// where it is the automatic choice (elsewhere its products are not expected to be exact),
    /// and each level of Kindred's kernel that runs. What tests run every int8 path on.
    public static var exactEngines: [Int8Engine] {
        (automatic.engine == .oneDNN ? [.oneDNN] : []) + Int8KernelLevel.allCases.filter(runs).map { .kernel($0) }
    }

    private static func choose() -> (engine: Int8Engine, reason: String) {
        let cpu = CPUClass.current
        let kernel: Int8Engine = .kernel(runs(.avx2) ? .avx2 : .baseline)
        guard cpu.avx512VNNI || cpu.avxVNNI || cpu.amxInt8 else {
            return (kernel, "no VNNI on this CPU: oneDNN's s8 product would saturate 16-bit pair sums")
        }
        // dnnl_cpu_isa_t is a mask of features: 0x40 is AVX-512 VNNI (in every later AVX-512
        // level), 0x400 AVX-VNNI. `all` (0) means no cap.
        let isa = dnnl_get_effective_cpu_isa().rawValue
        let allowed =
            isa == 0 || (isa & 0x40 != 0 && (cpu.avx512VNNI || cpu.amxInt8)) || (isa & 0x400 != 0 && cpu.avxVNNI)
        guard allowed else {
            let cap = CPUClass.current.cap ?? "dnnl_set_max_cpu_isa"
            return (kernel, "oneDNN capped below VNNI (\(cap))")
        }
        do {
            guard try oneDNNIsExact() else {
                return (kernel, "oneDNN's products failed the start-up exactness check on this CPU")
            }
        } catch {
            return (kernel, "oneDNN failed: \(error)")
        }
        let features = [
            cpu.amxInt8 ? "AMX" : nil, cpu.avx512VNNI ? "AVX-512 VNNI" : nil, cpu.avxVNNI ? "AVX-VNNI" : nil,
        ]
        return (
            .oneDNN, "the CPU has \(features.compactMap { $0 }.joined(separator: ", ")) and oneDNN's products are exact"
        )
    }

    /// Whether oneDNN's product equals the integer dot products on codes whose pair sums reach
    /// 2·127² (saturating in 16 bits when a kernel shifts a side to unsigned), in rows of both
    /// signs, with a partial last block.
    static func oneDNNIsExact() throws -> Bool {
        let rows = 37, columns = 96, queries = 3
        let codes = (0..<(rows * columns)).map { Int8(($0 / columns) % 3 == 0 ? 127 : ($0 % 7 == 0 ? -127 : 127)) }
        let query = (0..<(queries * columns)).map { Int8($0 % 5 == 0 ? -127 : 127) }
        let product = try OneDNNInt8Product(codes: codes, rows: rows, columns: columns, blockWidth: 16)
        var output = [Float](repeating: .nan, count: queries * 16)
        var exact = true
        try query.withUnsafeBufferPointer { q in
            try output.withUnsafeMutableBufferPointer { out in
                try product.multiplyEachBlock(
                    queries: q.baseAddress!, count: queries, blocks: 0..<product.blockCount,
                    into: out.baseAddress!, threads: 1
                ) { block in
                    let range = product.blockRange(block)
                    for i in 0..<queries {
                        for (offset, j) in range.enumerated() {
                            var sum = 0
                            for c in 0..<columns { sum += Int(q[i * columns + c]) * Int(codes[j * columns + c]) }
                            if out[i * range.count + offset] != Float(sum) { exact = false }
                        }
                    }
                }
            }
        }
        return exact
    }
}
