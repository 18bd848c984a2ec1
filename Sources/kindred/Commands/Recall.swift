import ArgumentParser
import Foundation
import KindredEngine
import KindredLinearAlgebra

struct Recall: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "How often the approximate index finds what exact search finds, and how fast.",
        discussion: """
            Runs each query through the approximate index and through exact search (every \
            article scored) and prints recall@k of the approximate lists against the exact ones, \
            what it is at least for all such queries with 95 % confidence (the bound the build \
            calibrates the index's settings to reach 0.98), and the median and 99th-percentile \
            time of each search, in this process on one core. \
            Queries are articles of the model searched by id (without themselves: what a by-id \
            request that can't use its precomputed list does), the same articles held out of \
            the graph's walk (searched as a draft of an article the graph does not hold would \
            be: what the build calibrates the beam on) and, with --drafts, texts the model does \
            not hold (articles kept out of the build, as JSON Lines).

            Searches go through the index's graph when the build calibrated one, else through \
            its lists; --probes measures the lists, --beam the graph, at other settings. On your \
            archive's model, give --drafts articles kept out of its build and try wider beams \
            (--beam 128,256,512) or more probes (--probes 400,800,1600) than the build chose.

            Examples, on the bundled model (one list: every search is exact there):
              kindred recall --queries 50
              kindred recall --queries 50 --probes 1 -k 5
            """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: ArgumentHelp("JSON Lines of texts not in the model, searched as drafts.", valueName: "path"))
    var drafts: String?

    @Option(help: "How many articles to search by id, and the most drafts read.")
    var queries: Int = 1_000

    @Option(help: ArgumentHelp("Comma-separated probe counts to measure, through the lists.", valueName: "n,…"))
    var probes: String?

    @Option(help: ArgumentHelp("Comma-separated beams to measure, through the graph.", valueName: "n,…"))
    var beam: String?

    @Option(name: .short, help: "List length compared.")
    var k: Int = 10

    @Option(help: "Seed of the articles sampled.")
    var seed: UInt64 = 1

    func validate() throws {
        guard queries >= 1 else { throw ValidationError("--queries must be at least 1; got \(queries)") }
        guard (1...1000).contains(k) else { throw ValidationError("-k must be between 1 and 1000; got \(k)") }
        _ = try settings()
    }

    /// The settings asked for, one row each: (probes, beam).
    func settings() throws -> [(probes: Int?, beam: Int?)] {
        func counts(_ text: String?, _ flag: String, limit: Int = Int.max) throws -> [Int] {
            guard let text else { return [] }
            let counts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !counts.isEmpty, counts.allSatisfy({ (1...limit).contains($0 ?? 0) }) else {
                let range = limit == Int.max ? "positive whole numbers" : "whole numbers from 1 to \(limit)"
                throw ValidationError("\(flag) takes \(range) separated by commas; got '\(text)'")
            }
            return counts.map { $0! }
        }
        let rows =
            try counts(probes, "--probes").map { (probes: Optional($0), beam: Int?.none) }
            + counts(beam, "--beam", limit: NeighborGraph.widestBeam).map { (probes: Int?.none, beam: Optional($0)) }
        return rows
    }

    func run() throws {
        let (model, path) = try modelOptions.load(search: SearchSettings(mode: .approximate))
        guard let index = model.index.approximateIndex else {
            throw CLIError("\(path) has no approximate index; rebuild it with 'kindred reindex'")
        }
        print("model: \(path) (\(model.articles.count) articles)")
        print("approximate index: \(index.summary)")
        print("CPU: \(CPUClass.current.summary)")
        var sets: [(name: String, queries: [Model.RecallQuery])] = []
        if let drafts {
            let read = try CorpusReader().read(path: drafts)
            let counter = TermCounter(parameters: model.parameters)
            let vectors = read.articles.prefix(queries).compactMap {
                model.queryVector(
                    title: $0.title, body: $0.body, tags: $0.tags, language: $0.language, counter: counter)
            }
            guard !vectors.isEmpty else { throw CLIError("\(drafts) holds no text with a term of the model") }
            sets.append(("drafts", vectors.map { Model.RecallQuery(vector: $0) }))
        }
        var generator = SeededGenerator(seed: seed)
        let byID = generator.distinct(queries, below: model.articles.count).compactMap { row in
            model.queryVector(row: row).map { Model.RecallQuery(vector: $0, excludedRow: row) }
        }
        sets.append(("by id", byID))
        if model.index.searchesGraph {
            sets.append(
                (
                    "held out",
                    byID.map { Model.RecallQuery(vector: $0.vector, excludedRow: $0.excludedRow, heldOut: true) }
                ))
        }
        // `text` in `width` characters, on the left or the right (Foundation's %-20@ does not pad on Linux).
        func column(_ text: String, _ width: Int, right: Bool = false) -> String {
            let padding = String(repeating: " ", count: max(0, width - text.count))
            return right ? padding + text : text + padding
        }
        print(
            column("search", 20) + "  " + column("queries", 16) + "  " + column("recall@\(k)", 10, right: true) + "  "
                + column("≥, 95 %", 9, right: true) + "  " + column("complete", 9, right: true) + "  "
                + column("approx. p50 / p99", 18) + "  exact p50 / p99")
        // By default the model's own way, and its lists too when it walks the graph first.
        var rows = try settings()
        if beam != nil && !model.index.searchesGraph {
            throw CLIError(
                "\(path)'s approximate index has no graph to search (\(index.summary)); --probes measures its lists")
        }
        if rows.isEmpty {
            rows = [(nil, nil)] + (model.index.searchesGraph ? [(probes: Optional(model.index.probes), beam: nil)] : [])
        }
        for (probes, beam) in rows {
            // The lists when asked for probes or when the model searches no graph.
            let walks = probes == nil && model.index.searchesGraph
            let label =
                walks
                ? "graph, beam \(beam ?? model.index.beam)" : "lists, \(probes ?? model.index.probes) probes"
            // Holding a row out changes only a walk: through the lists it is the by-id search.
            for set in sets where walks || set.name != "held out" {
                let measured = try model.approximateRecall(of: set.queries, k: k, probes: probes, beam: beam)
                func milliseconds(_ seconds: [Double]) -> String {
                    let sorted = seconds.sorted()
                    let p50 = sorted[sorted.count / 2], p99 = sorted[min(sorted.count - 1, sorted.count * 99 / 100)]
                    return String(format: "%6.3f / %6.3f ms", p50 * 1000, p99 * 1000)
                }
                print(
                    column(label, 20) + "  " + column(set.name, 8)
                        + String(
                            format: " %7d  %10.4f  %9.4f  %8.1f%%  %@  %@", set.queries.count, measured.recall,
                            measured.lowerBound,
                            Double(measured.complete) * 100 / Double(max(1, measured.queries)),
                            milliseconds(measured.approximateSeconds) as NSString,
                            milliseconds(measured.exactSeconds) as NSString))
            }
        }
    }
}
