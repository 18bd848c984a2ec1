import ArgumentParser
import Foundation
import KindredAPI
import KindredEngine

/// `--model`, shared by every command that reads a model.
struct ModelOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Model directory (its newest version is used) or one version's directory.",
            discussion: "Default: $KINDRED_MODEL, else the bundled models/default.",
            valueName: "dir"))
    var model: String?

    /// The directory to use, resolving the default.
    var directory: String { model ?? Self.defaultModelDirectory() }

    func load(search: SearchSettings = SearchSettings()) throws -> (model: Model, path: String) {
        try ModelDirectory(path: directory, search: search).load()
    }

    /// The model as the server would serve it: the journal's changes replayed and the editorial
    /// overrides applied.
    func loadLive(search: SearchSettings = SearchSettings()) throws -> LiveIndex {
        let opened = try ModelDirectory(path: directory, search: search).openLive()
        for problem in opened.skipped { StandardError.print("warning: journal entry skipped: \(problem)") }
        return opened.index
    }

    /// `$KINDRED_MODEL`, else `models/default` under the working directory, else next to the
    /// checkout the executable was built in (`.build/<config>/kindred` → `models/default`).
    static func defaultModelDirectory() -> String {
        if let fromEnvironment = ProcessInfo.processInfo.environment["KINDRED_MODEL"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        let relative = "models/default"
        if FileManager.default.fileExists(atPath: relative) { return relative }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent(relative).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return relative
    }
}

/// `-k`, shared by the query commands.
struct CountOptions: ParsableArguments {
    /// The most results a command-line query returns (`ResultCount.commandLineMaximum`).
    static let maximumK = ResultCount.commandLineMaximum

    @Option(name: .short, help: "How many related articles to return (1–\(ResultCount.commandLineMaximum)).")
    var k: Int = ResultCount.defaultK

    func validate() throws {
        guard (1...Self.maximumK).contains(k) else {
            throw ValidationError("-k must be between 1 and \(Self.maximumK); got \(k)")
        }
    }
}

/// An error for the user: printed as "Error: <message>", exit status 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Writes to standard error.
enum StandardError {
    static func print(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    static var isTerminal: Bool { isatty(2) == 1 }
}

/// `--search`, `--probes` and `--beam`: how the loaded model finds its candidates (`SearchSettings`).
struct SearchOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "auto, exact or approximate.",
            discussion:
                "auto searches the approximate index from \(SearchSettings.automaticThreshold) articles up when its graph reached the calibration's recall target (or its calibrated probes read at most a quarter of its lists), and scores every article otherwise ('kindred inspect' says which); docs/performance.md has the recall and speed of each.",
            valueName: "mode"))
    var search: String = SearchSettings.Mode.automatic.rawValue

    @Option(
        help: ArgumentHelp(
            "Lists of the approximate index each query probes (default: the number the build calibrated; 'kindred inspect' shows it).",
            valueName: "n"))
    var probes: Int?

    @Option(
        help: ArgumentHelp(
            "Articles the approximate index's graph search keeps in its beam (default: the number the build calibrated; 'kindred inspect' shows it).",
            valueName: "n"))
    var beam: Int?

    func validate() throws {
        guard SearchSettings.Mode(rawValue: search) != nil else {
            throw ValidationError("--search must be auto, exact or approximate; got '\(search)'")
        }
        if let probes, probes < 1 { throw ValidationError("--probes must be at least 1; got \(probes)") }
        if let beam, !(1...NeighborGraph.widestBeam).contains(beam) {
            throw ValidationError("--beam must be between 1 and \(NeighborGraph.widestBeam); got \(beam)")
        }
    }

    var settings: SearchSettings {
        SearchSettings(mode: SearchSettings.Mode(rawValue: search) ?? .automatic, probes: probes, beam: beam)
    }
}
