import ArgumentParser
import Foundation
import KindredAPI
import KindredEngine

struct Similar: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The articles most related to a draft that is not indexed.",
        discussion: """
            The text comes from --text, --file, or standard input, in that order. It is analysed \
            like the articles were and folded into the model's space.

            Example:
              kindred similar --title "Xiaomi's new tracker" --text "Works with Find My and Find Hub"
              echo "A draft about satellite phones" | kindred similar -k 5

            Articles the draft links to (their URLs or ids in the text, or --link) are left out; \
            --linked flag keeps them, marked.
            """)

    @Option(help: "The draft's title (weighted like article titles).")
    var title: String = ""

    @Option(help: "The draft's text.")
    var text: String?

    @Option(help: ArgumentHelp("Read the draft's text from a file.", valueName: "path"))
    var file: String?

    @Option(help: "The draft's language (BCP 47); results are in it unless --results-language says otherwise.")
    var language: String = "en"

    @Option(help: ArgumentHelp("An article id or URL the draft links to (repeatable).", valueName: "id-or-url"))
    var link: [String] = []

    @Option(help: ArgumentHelp("Articles the draft already links to: exclude or flag.", valueName: "policy"))
    var linked: String = LinkPolicy.exclude.rawValue

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var searchOptions: SearchOptions

    @OptionGroup(title: "Semantic channel (the draft is embedded when the model has the channel)")
    var encoderOptions: EncoderOptions

    @OptionGroup var journalOptions: JournalOptions
    @OptionGroup var count: CountOptions
    @OptionGroup var ranking: RankingOptions

    @Flag(help: "Print JSON in the same shape as 'related --json' (without an id).")
    var json = false

    func validate() throws {
        if text != nil && file != nil { throw ValidationError("give --text or --file, not both") }
        guard LinkPolicy(rawValue: linked) != nil else {
            throw ValidationError("--linked must be exclude or flag; got '\(linked)'")
        }
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
            guard let content = String(data: data, encoding: .utf8) else {
                throw CLIError("standard input is not UTF-8 text")
            }
            body = content
        }
        guard !(title + body).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw CLIError("the draft is empty; pass --title, --text, --file or text on standard input")
        }
        let query = try ranking.query(k: count.k, linked: LinkPolicy(rawValue: linked))
        var index = try journalOptions.loadLive(modelOptions, search: searchOptions.settings)
        index.encoder = try encoderOptions.draftEncoder(for: index.model)
        let list = try index.similar(title: title, body: body, language: language, links: link, query: query)
        if json {
            print(try Output.json(RelatedResponse(id: nil, model: nil, list: list)))
        } else {
            print(Output.table(list))
        }
    }
}
