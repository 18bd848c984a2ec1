import ArgumentParser
import Foundation
import KindredEngine
import KindredSources

struct Overrides: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show or change the links editors pinned to, or blocked from, articles' related lists.",
        discussion: """
            Overrides live in overrides.json in the model directory, beside the versions, so \
            reindexing keeps them; with --journal postgresql://…, in the journal the replicas \
            share, and every replica applies a change within a second. Pinned articles lead the list in the order given; blocked ones \
            never appear. A running server applies changes made here at its next reload \
            (POST /admin/reload or SIGHUP); changes made through the API (PUT \
            /v1/articles/{id}/overrides) apply at once. Both lock the file, so neither loses the \
            other's edits.

            Examples:
              kindred overrides show
              kindred overrides set leica-red-dot-leitzphone --pin xiaomi-17-ultra-launch
              kindred overrides set xiaomi-tag-find-my --block football-derby-result
              kindred overrides clear leica-red-dot-leitzphone
            """,
        subcommands: [Show.self, Set.self, Clear.self])

    /// Where the overrides a server on `--model` and `--journal` reads live (the directory, or
    /// the shared journal, opened once), and the index it serves.
    static func root(_ options: ModelOptions, _ journal: JournalOptions) throws -> (
        root: String, index: LiveIndex, shared: PostgreSQLJournal?
    ) {
        let shared = try journal.shared()
        return (shared?.name ?? options.directory, try JournalOptions.loadLive(options, shared: shared), shared)
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the overrides, of one article or of all.")

        @Argument(help: "An article id; all articles when absent.")
        var id: String?

        @OptionGroup var modelOptions: ModelOptions

        @OptionGroup var journalOptions: JournalOptions

        func run() throws {
            let (root, index, shared) = try Overrides.root(modelOptions, journalOptions)
            let overrides = shared == nil ? try OverridesFile.load(directory: root) : index.overrides
            let ids = id.map { [$0] } ?? overrides.entries.keys.sorted()
            if ids.isEmpty { print("(no overrides in \(root))") }
            for id in ids {
                let entry = overrides.entry(for: id) ?? .init()
                print(
                    "\(id)\n  pinned:  \(entry.pinned.joined(separator: ", "))\n  blocked: \(entry.blocked.joined(separator: ", "))"
                )
            }
        }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Replace an article's pins and blocks.")

        @Argument(help: "The article whose related list is steered.")
        var id: String

        @Option(help: ArgumentHelp("An article to pin, in list order (repeatable).", valueName: "id"))
        var pin: [String] = []

        @Option(help: ArgumentHelp("An article never to list (repeatable).", valueName: "id"))
        var block: [String] = []

        @OptionGroup var modelOptions: ModelOptions

        @OptionGroup var journalOptions: JournalOptions

        func run() throws {
            let entry = EditorialOverrides.Entry(pinned: pin, blocked: block)
            do {
                try EditorialOverrides.validate(entry, for: id)
            } catch let error as EngineError {
                throw ValidationError(error.message)
            }
            let (root, index, shared) = try Overrides.root(modelOptions, journalOptions)
            do {
                try index.check(entry, for: id)
            } catch LiveIndex.OverridesRefusal.unknownArticle {
                throw CLIError("no article with id '\(id)' in \(root)")
            } catch LiveIndex.OverridesRefusal.unknownPin(let unknown) {
                throw CLIError("can't pin '\(unknown)': no such article in \(root)")
            }
            if let shared {
                try shared.setOverrides(entry, for: id)
                StandardError.print("saved in \(shared.name); every replica on it applies it within a second")
                return
            }
            try OverridesFile.update(directory: root) { $0.set(entry, for: id) }
            StandardError.print(
                "saved in \(root)/\(OverridesFile.fileName); a running server applies it at its next reload")
        }
    }

    struct Clear: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an article's pins and blocks.")

        @Argument(help: "The article id.")
        var id: String

        @OptionGroup var modelOptions: ModelOptions

        @OptionGroup var journalOptions: JournalOptions

        func run() throws {
            let (root, index, shared) = try Overrides.root(modelOptions, journalOptions)
            if let shared {
                guard index.overrides.entry(for: id) != nil else {
                    throw CLIError("'\(id)' has no overrides in \(root)")
                }
                try shared.setOverrides(nil, for: id)
                StandardError.print("cleared in \(shared.name); every replica on it applies it within a second")
                return
            }
            var found = false
            try OverridesFile.update(directory: root) { overrides in
                found = overrides.entry(for: id) != nil
                overrides.set(nil, for: id)
            }
            guard found else { throw CLIError("'\(id)' has no overrides in \(root)") }
            StandardError.print("cleared; a running server applies it at its next reload")
        }
    }
}
