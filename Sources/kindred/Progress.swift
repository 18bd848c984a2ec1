import Foundation
import KindredEngine

/// Build progress on standard error: one rewritten line per stage on a terminal, plain lines
/// (stage started, stage done with its time and peak memory) otherwise, so logs of a cron job
/// stay readable.
final class ProgressPrinter {
    private let terminal = StandardError.isTerminal
    private var lastStage: BuildProgress.Stage?
    private var stageStart = Date()
    private var lastPercent = -1
    private var finished = false

    func report(_ progress: BuildProgress) {
        if progress.stage != lastStage {
            lastStage = progress.stage
            stageStart = Date()
            lastPercent = -1
            finished = false
            PeakMemory.reset()
            if !terminal { StandardError.print("\(progress.stage.rawValue): started") }
        }
        guard !finished else { return }
        let percent = Int(progress.fraction * 100)
        if terminal, percent != lastPercent {
            lastPercent = percent
            FileHandle.standardError.write(Data("\r\u{1B}[K\(progress.stage.rawValue): \(percent)%".utf8))
        }
        if progress.fraction >= 1 {
            finished = true
            let seconds = String(format: "%.2f s", Date().timeIntervalSince(stageStart)) + PeakMemory.caption()
            if terminal {
                FileHandle.standardError.write(Data("\r\u{1B}[K\(progress.stage.rawValue): done in \(seconds)\n".utf8))
            } else {
                StandardError.print("\(progress.stage.rawValue): done in \(seconds)")
            }
        }
    }
}
