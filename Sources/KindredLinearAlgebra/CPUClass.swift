import CKindredKernels
import Foundation

/// The class of CPU this process runs on, as every figure Kindred prints names it: the model, the
/// vector extensions that decide which kernels run (AVX2, AVX-512, the int8 dot-product
/// instructions VNNI and AMX), and any cap the environment puts on them.
///
/// Kernels are tuned per class (docs/performance.md has a table per class), so a benchmark figure
/// without its class can't be compared with another.
public struct CPUClass: Sendable, Equatable {
    /// `model name` from `/proc/cpuinfo`, or `unknown`.
    public let model: String
    public let avx2: Bool
    public let avx512: Bool
    public let avx512VNNI: Bool
    public let avxVNNI: Bool
    public let amxInt8: Bool
    /// `KINDRED_MAX_CPU_ISA=…` or `ONEDNN_MAX_CPU_ISA=…` when one of them is set.
    public let cap: String?
    /// The widest build of Kindred's own C kernels that runs: `baseline`, `avx2` or `avx512`.
    public let kernelLevel: String

    /// This machine.
    public static let current = CPUClass()

    private init() {
        model = Self.field("model name") ?? "unknown"
        let flags = Self.flags
        avx2 = flags.contains("avx2")
        avx512 = flags.contains("avx512f")
        let int8 = kindred_cpu_int8_features()
        avx512VNNI = int8 & Int32(kindred_cpu_avx512_vnni) != 0
        avxVNNI = int8 & Int32(kindred_cpu_avx_vnni) != 0
        amxInt8 = int8 & Int32(kindred_cpu_amx_int8) != 0
        let environment = ProcessInfo.processInfo.environment
        cap =
            ["KINDRED_MAX_CPU_ISA", "ONEDNN_MAX_CPU_ISA"].lazy
            .compactMap { name in environment[name].flatMap { $0.isEmpty ? nil : "\(name)=\($0)" } }.first
        kernelLevel = ["baseline", "avx2", "avx512"][Int(max(0, min(2, kindred_cpu_level_in_effect())))]
    }

    /// The extensions present, widest last, e.g. `AVX2, AVX-512, AVX-512 VNNI, AVX-VNNI, AMX`.
    public var extensions: String {
        var parts: [String] = []
        if avx2 { parts.append("AVX2") }
        if avx512 { parts.append("AVX-512") }
        if avx512VNNI { parts.append("AVX-512 VNNI") }
        if avxVNNI { parts.append("AVX-VNNI") }
        if amxInt8 { parts.append("AMX") }
        return parts.isEmpty ? "no AVX2" : parts.joined(separator: ", ")
    }

    /// The CPU's class in one word: `vnni` (has int8 dot-product instructions), `avx512`, `avx2`
    /// or `baseline`; what the tables in docs/performance.md are keyed by.
    public var name: String {
        if avx512VNNI || avxVNNI || amxInt8 { return "vnni" }
        if avx512 { return "avx512" }
        return avx2 ? "avx2" : "baseline"
    }

    /// One line for logs and benchmark output: model, extensions, cap.
    public var summary: String {
        var line = "\(model) (\(extensions); class \(name))"
        if let cap { line += ", capped by \(cap): Kindred kernels \(kernelLevel)" }
        return line
    }

    /// The flags of `/proc/cpuinfo`.
    static let flags = Set((field("flags") ?? "").split(separator: " ").map(String.init))

    /// `/proc/cpuinfo`, read once (empty where it doesn't exist).
    private static let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""

    /// The value of the first `/proc/cpuinfo` line named `name` (the first CPU's).
    private static func field(_ name: String) -> String? {
        for line in cpuinfo.split(separator: "\n") where line.hasPrefix(name) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return nil
    }
}
