import Foundation
import KindredEngine
import Synchronization

/// The largest resident memory of each reindex stage, for the progress output, and of the whole run.
///
/// A sampling thread reads the resident size from `/proc/self/statm` 200 times a second and keeps the
/// largest value since the current stage began; the run's peak is the kernel's own high-water
/// mark (`VmHWM`), which `/usr/bin/time` also reports. Sampling rather than resetting the kernel's
/// mark (`/proc/self/clear_refs`) keeps that mark, and so `/usr/bin/time`, right. A stage's figure
/// can miss a spike shorter than the sampling interval. Where `/proc` does not exist the figures
/// are left out.
enum PeakMemory {
    private static let windowPeak = Mutex<Int>(0)
    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
    /// Whether the sampler runs (started on first use; never stopped: the process ends with it).
    private static let sampler: Bool = {
        guard residentBytes() != nil else { return false }
        let thread = Thread {
            while true {
                if let resident = residentBytes() { windowPeak.withLock { $0 = max($0, resident) } }
                usleep(5_000)
            }
        }
        thread.name = "kindred-memory-sampler"
        thread.start()
        return true
    }()

    /// Starts a new stage's window (and the sampler, the first time), after handing what the
    /// previous stage freed back to the kernel (`FreedMemory`), so that the new window measures
    /// this stage's memory rather than the allocator's leftovers.
    static func reset() {
        FreedMemory.release()
        _ = sampler
        let now = residentBytes() ?? 0
        windowPeak.withLock { $0 = now }
    }

    /// The current resident size, in bytes.
    static func residentBytes() -> Int? {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = statm.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * pageSize
    }

    /// The run's peak resident size so far (`VmHWM`), in bytes.
    static func overallPeakBytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }.map { $0 * 1024 }
        }
        return nil
    }

    /// `", peak "` and the stage's peak so far in megabytes, or nothing where unknown.
    static func caption() -> String {
        guard sampler else { return "" }
        let sampled = max(windowPeak.withLock { $0 }, residentBytes() ?? 0)
        return ", peak \(sampled / 1_000_000) MB"
    }
}
