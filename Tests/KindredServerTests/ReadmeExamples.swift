import Foundation

/// The `console` blocks of README.md: each `$ command` line and the output printed below it.
enum ReadmeExamples {
    struct Example {
        var command: String
        var output: String
    }

    static func all(in readme: URL) throws -> [Example] {
        var examples: [Example] = []
        var inConsole = false
        for line in try String(contentsOf: readme, encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false)
        {
            if line.hasPrefix("```") {
                inConsole = line == "```console"
            } else if inConsole, line.hasPrefix("$ ") {
                examples.append(Example(command: String(line.dropFirst(2)), output: ""))
            } else if inConsole, !examples.isEmpty {
                examples[examples.count - 1].output += (examples[examples.count - 1].output.isEmpty ? "" : "\n") + line
            }
        }
        return examples
    }
}
