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

    /// The shared journal, or nil for the model directory's files.
    ///
    /// - Throws: `SourceError` for a URL that is not PostgreSQL's.
    func shared() throws -> PostgreSQLJournal? {
        guard let journal else { return nil }
        return try PostgreSQLJournal(url: SourceURL(journal))
    }

    /// The model as a server on this journal serves it.
    func loadLive(_ model: ModelOptions, search: SearchSettings = SearchSettings()) throws -> LiveIndex {
        try Self.loadLive(model, shared: shared(), search: search)
    }

    /// The model as a server on `shared` (nil: the directory's own journal) serves it.
    static func loadLive(
        _ model: ModelOptions, shared: SharedJournal?, search: SearchSettings = SearchSettings()
    ) throws -> LiveIndex {
        guard let shared else { return try model.loadLive(search: search) }
        return try ModelDirectory(path: model.directory, search: search).openLive(journal: shared).index
    }
}
