import Foundation
import Testing

/// Every command's `--help` against a golden copy in `Tests/Fixtures/help`, and every example it
/// shows run against a copy of the bundled model. Set `KINDRED_UPDATE_GOLDEN=1` to rewrite the
/// copies after changing a help text on purpose (and read the diff).
@Suite("kindred --help", .serialized)
struct HelpTests {
    static let commands: [[String]] = [
        [], ["reindex"], ["serve"], ["related"], ["similar"], ["neighbors"], ["overrides"], ["overrides", "show"],
        ["overrides", "set"], ["overrides", "clear"], ["inspect"], ["eval"], ["embed"], ["recall"],
    ]

    static let golden = CLITests.root.appendingPathComponent("Tests/Fixtures/help")

    static func fixture(_ command: [String]) -> URL {
        golden.appendingPathComponent((["kindred"] + command).joined(separator: "-") + ".txt")
    }

    /// Help at a fixed width: ArgumentParser wraps to `COLUMNS` when standard output is no terminal.
    func help(_ command: [String]) throws -> String {
        let run = try CLITests().kindred(command + ["--help"], environment: ["COLUMNS": "100"])
        #expect(run.status == 0, "\(run.stderr)")
        return run.stdout
    }

    @Test("each command's help is the golden copy", arguments: commands)
    func matchesGolden(command: [String]) throws {
        let text = try help(command)
        let file = Self.fixture(command)
        if ProcessInfo.processInfo.environment["KINDRED_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Self.golden, withIntermediateDirectories: true)
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(text == expected, "kindred \(command.joined(separator: " ")) --help differs from \(file.path)")
    }

    /// The command lines under "Example:" or "Examples …:" in a help text, up to the next blank line.
    static func examples(in help: String) -> [String] {
        var found: [String] = [], inBlock = false
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.hasPrefix("Example") && text.hasSuffix(":") {
                inBlock = true
            } else if text.isEmpty {
                inBlock = false
            } else if inBlock {
                found.append(text)
            }
        }
        return found
    }

    @Test("every example in the help runs on the bundled model", arguments: commands.filter { $0.count <= 1 })
    func examplesRun(command: [String]) throws {
        let examples = Self.examples(in: try help(command))
        // Anything else in an example block is a line the help wrapped: too long to copy and run.
        for line in examples
        where !(line.hasPrefix("kindred ") || line.contains("| kindred ") || line.hasPrefix("curl ")) {
            Issue.record("example line that is not a command (wrapped?): \(line)")
        }
        let lines = examples.filter {
            $0.hasPrefix("kindred ") && !$0.hasPrefix("kindred serve") || $0.contains("| kindred ")
        }
        guard !lines.isEmpty else { return }
        // A scratch copy of the checkout's model and corpus, so examples that write (reindex,
        // overrides) leave the bundled model alone.
        let directory = try CLITests().temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/models", withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: CLITests.root.appendingPathComponent("models/default").path, toPath: directory + "/models/default")
        try FileManager.default.createSymbolicLink(
            atPath: directory + "/corpus", withDestinationPath: CLITests.root.appendingPathComponent("corpus").path)
        // The encoder's weights where the commands look for them by default (scripts/fetch-encoder.sh).
        try FileManager.default.createSymbolicLink(
            atPath: directory + "/models/encoders",
            withDestinationPath: CLITests.root.appendingPathComponent("models/encoders").path)
        for line in lines {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", line + " > /dev/null"]
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            var environment = ProcessInfo.processInfo.environment
            environment["PATH"] =
                CLITests.executable.deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "")
            environment["KINDRED_MODEL"] = nil
            process.environment = environment
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "example failed: \(line)")
        }
    }
}

/// README.md's `kindred` examples, run: the README shows real output.
@Suite("README: the CLI examples print what the README shows")
struct ReadmeCLITests {
    @Test("every `$ kindred …` line in a console block prints the lines below it")
    func kindredExamples() throws {
        let readme = try String(contentsOf: CLITests.root.appendingPathComponent("README.md"), encoding: .utf8)
        var examples: [(command: String, output: [String])] = []
        var inConsole = false
        for line in readme.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("```") {
                inConsole = line == "```console"
            } else if inConsole, line.hasPrefix("$ ") {
                examples.append((String(line.dropFirst(2)), []))
            } else if inConsole, !examples.isEmpty {
                examples[examples.count - 1].output.append(line)
            }
        }
        let commands = examples.filter { $0.command.hasPrefix("kindred ") }
        #expect(!commands.isEmpty)
        for example in commands {
            let arguments = example.command.split(separator: " ").dropFirst().map(String.init)
            let run = try CLITests().kindred(arguments, environment: ["KINDRED_MODEL": ""])
            #expect(run.status == 0, "\(example.command): \(run.stderr)")
            #expect(
                run.stdout.split(separator: "\n").map(String.init) == example.output,
                "README is out of date for \(example.command)")
        }
    }
}
