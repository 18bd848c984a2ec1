import Foundation
import KindredEngine

/// What the fuzz targets share: the libFuzzer entry's plumbing, the replay mode that runs saved
/// inputs (how CI checks the corpus and every past finding), and a small index to query.
///
/// Built with `scripts/fuzz.sh` (`-sanitize=fuzzer -DFUZZING`), each target is a libFuzzer binary;
/// built normally, it replays the files or directories given on its command line.
public enum Fuzz {
    /// Runs `target` on libFuzzer's input.
    public static func one(_ start: UnsafePointer<UInt8>, _ count: Int, _ target: (Data) -> Void) -> CInt {
        target(Data(bytes: start, count: count))
        return 0
    }

    /// Replays every file named on the command line (directories: every file in them, sorted).
    /// A crash is the failure; printing one line per file shows what ran.
    public static func replay(_ target: (Data) -> Void) {
        var files: [String] = []
        for argument in CommandLine.arguments.dropFirst() {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                FileHandle.standardError.write(Data("no such file or directory: \(argument)\n".utf8))
                exit(2)
            }
            if isDirectory.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: argument)) ?? []
                files += names.filter { !$0.hasPrefix(".") }.sorted().map { argument + "/" + $0 }
            } else {
                files.append(argument)
            }
        }
        guard !files.isEmpty else {
            FileHandle.standardError.write(Data("usage: \(CommandLine.arguments[0]) FILE-OR-DIRECTORY...\n".utf8))
            exit(2)
        }
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            target(data)
        }
        print("replayed \(files.count) input(s)")
    }

    /// A small live index (four articles, one upserted, one deleted) for targets that run queries.
    public static let index: LiveIndex = {
        let articles = [
            Article(
                id: "leica", title: "Leica puts its red dot on a Xiaomi phone",
                body: "Leica and Xiaomi camera phone red dot",
                publishedAt: Date(timeIntervalSince1970: 1_770_000_000), section: "phones", tags: ["Leica"]),
            Article(
                id: "ultra", title: "Xiaomi 17 Ultra launches", body: "Xiaomi camera phone with a Leica lens",
                url: "https://example.com/ultra", section: "phones"),
            Article(
                id: "tag", title: "Xiaomi Tag tracker", body: "Find My and Find Hub tracker from Xiaomi",
                publishedAt: Date(timeIntervalSince1970: 1_771_000_000), section: "wearables"),
            Article(
                id: "derby", title: "Derby ends in a draw", body: "Football derby draw in the rain", section: "sports"),
            Article(
                id: "spiel", title: "Spitzenspiel endet unentschieden", body: "Der Trainer nach der Pause",
                language: "de"),
        ]
        var parameters = ModelParameters()
        parameters.minimumDocumentFrequency = 1
        parameters.maximumDocumentFrequency = 1
        let model = try! ModelBuilder(parameters: parameters).build(articles).model
        var index = LiveIndex(
            model: model, version: "fuzz",
            overrides: EditorialOverrides(entries: ["leica": .init(pinned: ["derby"], blocked: ["tag"])]))
        index = index.upserting(Article(id: "new", title: "Leica camera news", body: "A Leica camera for Xiaomi"))
        return index.deleting("derby")!
    }()

    /// What every answer must be, whatever the input: at most `k` results, no article twice,
    /// finite scores.
    public static func check(_ list: RelatedList, k: Int) {
        precondition(list.results.count <= k, "more than k results")
        precondition(Set(list.results.map(\.article.id)).count == list.results.count, "an article listed twice")
        precondition(list.results.allSatisfy { $0.score.isFinite }, "a score that is not finite")
    }

    /// The ids a query may name: every article, a deleted one and an unknown one.
    public static let ids = ["leica", "ultra", "tag", "derby", "spiel", "new", "unknown"]
}
