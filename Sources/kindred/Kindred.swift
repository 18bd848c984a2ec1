import ArgumentParser
import KindredAPI
import KindredEngine

/// `kindred`: build related-articles models and query them.
@main
struct Kindred: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kindred",
        abstract: "Related articles for a news archive: LSA (TF-IDF + truncated SVD) with exact cosine top-k.",
        discussion: """
            A typical night: rebuild the model from the archive, then tell the server to switch.

              kindred reindex --corpus archive/ --model models/news
              curl -X POST http://127.0.0.1:8080/admin/reload

            Or ask from the command line:

              kindred related some-article-id --model models/news -k 5

            --model defaults to the bundled model built from the sample corpus (models/default), \
            or to $KINDRED_MODEL when set.

            Exit status: 0 on success, 1 when the command failed (the message says why and what to \
            do), 64 for a usage error.
            """,
        version: KindredVersion.current,
        subcommands: [
            Reindex.self, Serve.self, Related.self, Similar.self, Neighbors.self, Overrides.self, Inspect.self,
            Eval.self, Recall.self, Embed.self,
        ])

    /// Runs the command; the engine's errors are worded with the CLI's flags (`--min-df`, not
    /// `minimumDocumentFrequency`).
    static func main() async {
        BLASKernelChoice.reexecIfMisdetected()
        do {
            var command = try parseAsRoot()
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let error as EngineError {
            exit(withError: CLIError(ParameterSpelling.flag.message(error)))
        } catch {
            exit(withError: error)
        }
    }
}
