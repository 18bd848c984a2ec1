/// Times the build's stages and reports their progress; collects the notices a build has for its
/// user.
struct StageClock {
    let progress: (BuildProgress) -> Void
    /// Seconds per stage, by `BuildProgress.Stage` name (the manifest's `stage_seconds`).
    private(set) var seconds: [String: Double] = [:]
    /// Things worth saying that are not errors.
    var notices: [String] = []
    private let clock = ContinuousClock()

    init(progress: @escaping (BuildProgress) -> Void) { self.progress = progress }

    /// Runs one stage, reporting its start and end and recording its time.
    mutating func timed<T>(_ stage: BuildProgress.Stage, _ work: () throws -> T) rethrows -> T {
        progress(BuildProgress(stage: stage, fraction: 0))
        let start = clock.now
        let result = try work()
        let elapsed = clock.now - start
        seconds[stage.rawValue] = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        progress(BuildProgress(stage: stage, fraction: 1))
        return result
    }
}
