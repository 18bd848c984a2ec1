import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Which BLAS the process actually runs on, found at run time.
///
/// Kindred links the generic `libblas.so.3`; Debian's alternatives decide what that is. OpenBLAS
/// exports `openblas_get_config` and `openblas_get_corename`, so their presence identifies it and
/// names the kernel it picked. OpenBLAS 0.3.21 does not recognise some recent CPUs and silently
/// falls back to a generic kernel several times slower; `warning` says how to fix that.
public struct BLASBackend: Sendable, Codable, Equatable {
    /// `OpenBLAS`, or `reference or unknown` when no OpenBLAS symbols are present.
    public let implementation: String
    /// OpenBLAS's build configuration string, when known.
    public let configuration: String?
    /// The compute kernel in use (`Haswell`, `SkylakeX`, `Prescott`…), when known.
    public let kernel: String?
    /// Threads OpenBLAS uses, when known.
    public let threads: Int?
    /// `OPENBLAS_CORETYPE` as set in the environment, if any.
    public let coreTypeOverride: String?

    /// The backend of this process.
    public static let current: BLASBackend = detect()

    /// One line for logs and benchmark output.
    public var summary: String {
        var parts = [implementation]
        if let kernel { parts.append("kernel \(kernel)") }
        if let threads { parts.append("\(threads) threads") }
        if let coreTypeOverride {
            let byKindred = ProcessInfo.processInfo.environment["KINDRED_SET_OPENBLAS_CORETYPE"] == coreTypeOverride
            parts.append("OPENBLAS_CORETYPE=\(coreTypeOverride)" + (byKindred ? " (set by kindred for this CPU)" : ""))
        }
        return parts.joined(separator: ", ")
    }

    /// Advice when the BLAS in use is far slower than this machine allows, else nil.
    public var warning: String? {
        if kernel == nil && implementation != "OpenBLAS" {
            return "BLAS is not OpenBLAS (the reference BLAS is ~100× slower): "
                + "install it with 'apt-get install libopenblas0-pthread'"
        }
        guard let kernel, let suggestion = suggestedCoreType else { return nil }
        return "OpenBLAS runs its generic \(kernel) kernel on a CPU with "
            + (suggestion == "SkylakeX" ? "AVX-512" : "AVX2")
            + "; set OPENBLAS_CORETYPE=\(suggestion) for several times the speed"
    }

    /// The `OPENBLAS_CORETYPE` that gives this CPU its fast kernel when OpenBLAS picked a generic
    /// one (Debian's 0.3.21 does not know some recent CPUs, e.g. Intel's Xeon family 6 model
    /// 207, and runs Prescott there), else nil. SkylakeX needs AVX-512 F, BW, DQ and VL;
    /// Haswell AVX2 and FMA.
    public var suggestedCoreType: String? {
        guard let kernel else { return nil }
        let generic: Set<String> = [
            "prescott", "core2", "penryn", "dunnington", "nehalem", "atom", "katmai", "coppermine",
            "northwood", "banias", "barcelona", "opteron", "athlon",
        ]
        guard generic.contains(kernel.lowercased()) else { return nil }
        let flags = CPUClass.flags
        if ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains) { return "SkylakeX" }
        if flags.contains("avx2") && flags.contains("fma") { return "Haswell" }
        return nil
    }

    private static func detect() -> BLASBackend {
        let override = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]
        #if canImport(Glibc)
            let handle = dlopen(nil, RTLD_NOW)
            typealias StringFunction = @convention(c) () -> UnsafePointer<CChar>?
            typealias IntFunction = @convention(c) () -> Int32
            func string(_ name: String) -> String? {
                guard let symbol = dlsym(handle, name) else { return nil }
                let function = unsafeBitCast(symbol, to: StringFunction.self)
                return function().map { String(cString: $0).trimmingCharacters(in: .whitespaces) }
            }
            if let config = string("openblas_get_config") {
                var threads: Int?
                if let symbol = dlsym(handle, "openblas_get_num_threads") {
                    threads = Int(unsafeBitCast(symbol, to: IntFunction.self)())
                }
                return BLASBackend(
                    implementation: "OpenBLAS", configuration: config, kernel: string("openblas_get_corename"),
                    threads: threads, coreTypeOverride: override)
            }
        #endif
        return BLASBackend(
            implementation: "reference or unknown", configuration: nil, kernel: nil, threads: nil,
            coreTypeOverride: override)
    }
}
