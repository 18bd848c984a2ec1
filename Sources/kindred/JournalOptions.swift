import ArgumentParser
import Foundation
import KindredEngine
import KindredSources

/// `--journal`: where the writes since the last reindex and the overrides live when several
/// servers share them (a PostgreSQL URL); by default, the model directory's own files.
struct JournalOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "A journal shared by replicas: postgresql://user@host:5432/db (default: journal.jsonl and overrides.json in the model directory).",
            discussion:
                "Writes, overrides and published versions live there, so every server on it serves the same; docs/operations.md has the deployment.",
            valueName: "url"))
    var journal: String?

    /// The journal a server on `model` uses: the one `--journal` names, or the directory's own.
    ///
    /// - Throws: `SourceError` for a URL that is not PostgreSQL's.
    func journal(for model: ModelOptions) throws -> ChangeJournal {
        guard let journal else { return ModelDirectory(path: model.directory).journal() }
        return try PostgreSQLJournal(url: SourceURL(journal))
    }

    /// The model as a server on this journal serves it.
    func loadLive(_ model: ModelOptions, search: SearchSettings = SearchSettings()) throws -> LiveIndex {
        try ModelDirectory(path: model.directory, search: search).openLive(journal: journal(for: model)).index
    }
}
