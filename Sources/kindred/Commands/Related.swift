import ArgumentParser
import KindredEngine
import KindredServer

struct Related: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The articles most related to an indexed article.",
        discussion: """
            Example:
              kindred related leica-red-dot-leitzphone -k 3
              kindred related leica-red-dot-leitzphone --json
            """)

    @Argument(help: "The article's id.")
    var id: String

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var count: CountOptions

    @Flag(help: "Print JSON: {\"id\", \"results\": [{\"id\", \"title\", \"url\", \"section\", \"published_at\", \"score\"}]}.")
    var json = false

    func run() throws {
        let (model, _) = try modelOptions.load()
        let results = try model.related(to: id, k: count.k)
        if json {
            print(try Output.json(RelatedResponse(id: id, model: nil, results: results)))
        } else {
            print(Output.table(results))
        }
    }
}
