import Foundation

/// The process's peak resident memory per stage, from Linux's `/proc/self/status` (`VmHWM`).
///
/// Writing `5` to `/proc/self/clear_refs` resets the peak to the current resident size (Linux 4.0
/// and later), so each stage's figure is its own peak, not the run's so far. Elsewhere, or when
/// `/proc` can't be read, the figures are simply left out.
enum PeakMemory {
    /// Starts a new measurement window.
    static func reset() {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return }
        defer { try? handle.close() }
        try? handle.write(contentsOf: Data("5".utf8))
    }

    /// The peak resident size since the last `reset`, in bytes; nil where it can't be read.
    static func peakBytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
            return kilobytes.map { $0 * 1024 }
        }
        return nil
    }

    /// `", peak 412 MB"`, or nothing where unknown.
    static func caption() -> String {
        peakBytes().map { ", peak \($0 / 1_000_000) MB" } ?? ""
    }
}
