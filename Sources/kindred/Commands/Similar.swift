import ArgumentParser
import Foundation
import KindredEngine
import KindredServer

struct Similar: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The articles most related to a draft that is not indexed.",
        discussion: """
            The text comes from --text, --file, or standard input, in that order. It is analysed \
            like the articles were and folded into the model's space.

            Example:
              kindred similar --title "Xiaomi's new tracker" --text "Works with Find My and Find Hub"
              echo "A draft about satellite phones" | kindred similar -k 5
            """)

    @Option(help: "The draft's title (weighted like article titles).")
    var title: String = ""

    @Option(help: "The draft's text.")
    var text: String?

    @Option(help: ArgumentHelp("Read the draft's text from a file.", valueName: "path"))
    var file: String?

    @Option(help: "The draft's language (BCP 47).")
    var language: String = "en"

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var count: CountOptions

    @Flag(help: "Print JSON in the same shape as 'related --json' (without an id).")
    var json = false

    func validate() throws {
        if text != nil && file != nil { throw ValidationError("give --text or --file, not both") }
    }

    func run() throws {
        let body: String
        if let text {
            body = text
        } else if let file {
            guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("can't read \(file)") }
            guard let content = String(data: data, encoding: .utf8) else { throw CLIError("\(file) is not UTF-8 text") }
            body = content
        } else {
            if StandardError.isTerminal && isatty(0) == 1 {
                StandardError.print("reading the draft from standard input; end with Ctrl-D")
            }
            let data = FileHandle.standardInput.readDataToEndOfFile()
            guard let content = String(data: data, encoding: .utf8) else { throw CLIError("standard input is not UTF-8 text") }
            body = content
        }
        guard !(title + body).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw CLIError("the draft is empty; pass --title, --text, --file or text on standard input")
        }
        let (model, _) = try modelOptions.load()
        let results = try model.similar(title: title, body: body, language: language, k: count.k)
        if results.isEmpty && !json {
            StandardError.print("none of the draft's words is in the model's vocabulary")
        }
        if json {
            print(try Output.json(RelatedResponse(id: nil, model: nil, results: results)))
        } else {
            print(Output.table(results))
        }
    }
}
