import ArgumentParser
import KindredAPI
import KindredEngine

struct Related: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The articles most related to one or more indexed articles.",
        discussion: """
            Answers like the server's GET /v1/articles/{id}/related: the journal's changes and the \
            editorial overrides (see 'kindred overrides') apply, and so do the ranking controls.

            Several ids make a topic query (more like all of them); --unlike pushes results away \
            from other articles.

            Examples:
              kindred related leica-red-dot-leitzphone -k 3
              kindred related leica-red-dot-leitzphone --half-life 7 --explain
              kindred related xiaomi-17-ultra-launch xiaomi-tag-find-my --unlike xiaomi-su7-deliveries
              kindred related leica-red-dot-leitzphone --json
            """)

    @Argument(help: "The article id(s).")
    var ids: [String]

    @Option(help: ArgumentHelp("An article the results should be unlike (repeatable).", valueName: "id"))
    var unlike: [String] = []

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var searchOptions: SearchOptions

    @OptionGroup var journalOptions: JournalOptions
    @OptionGroup var count: CountOptions
    @OptionGroup var ranking: RankingOptions

    @Flag(help: "Print JSON in the API's shape: {\"id\", \"k\", \"complete\", \"below_floor\", \"results\": [...]}.")
    var json = false

    func validate() throws {
        if ids.isEmpty { throw ValidationError("give at least one article id") }
    }

    func run() throws {
        let query = try ranking.query(k: count.k)
        let index = try journalOptions.loadLive(modelOptions, search: searchOptions.settings)
        let list = try index.related(
            like: ids.map(QueryExample.article), unlike: unlike.map(QueryExample.article), query: query)
        if json {
            print(try Output.json(RelatedResponse(id: ids.count == 1 ? ids[0] : nil, model: nil, list: list)))
        } else {
            print(Output.table(list))
        }
    }
}
