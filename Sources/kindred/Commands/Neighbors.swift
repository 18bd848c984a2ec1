import ArgumentParser
import Foundation
import KindredAPI
import KindredEngine

struct Neighbors: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Every article's related list, as JSON Lines.",
        discussion: """
            One line per article, best first:
              {"id":"...","neighbors":[{"id":"...","score":0.83},...]}
            Any k up to the number of articles works; memory stays bounded (blocked matrix \
            products).

            Example:
              kindred neighbors -k 10 > related.jsonl
            """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .short, help: "Neighbours per article (at least 1; more than the corpus holds gives all).")
    var k: Int = 10

    func validate() throws {
        guard k >= 1 else { throw ValidationError("-k must be at least 1; got \(k)") }
    }

    struct Line: Encodable {
        struct Neighbor: Encodable {
            var id: String
            var score: Double
        }
        var id: String
        var neighbors: [Neighbor]
    }

    func run() throws {
        // Every article's list is the all-pairs search, which needs the exact scan's int8 product
        // (it reads the precomputed lists when they are deep enough).
        let (model, _) = try modelOptions.load(search: SearchSettings(mode: .exact))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        var buffer = Data()
        let output = FileHandle.standardOutput
        try model.neighbors(k: min(k, max(1, model.articles.count - 1))) { article, related in
            let line = Line(
                id: article.id,
                neighbors: related.map { Line.Neighbor(id: $0.article.id, score: RelatedResult.rounded($0.score)) })
            buffer.append(try encoder.encode(line))
            buffer.append(0x0A)
            if buffer.count > 1 << 20 {
                output.write(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        output.write(buffer)
    }
}
