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

    /// The journal whose overrides a server on `--model` and `--journal` reads (the directory's
    /// files, or the shared journal), and the index it serves.
    static func open(_ options: ModelOptions, _ journal: JournalOptions) throws -> (
        journal: ChangeJournal, index: LiveIndex
    ) {
        let chosen = try journal.journal(for: options)
        return (chosen, try ModelDirectory(path: options.directory).openLive(journal: chosen).index)
    }

    /// Where the overrides are, for messages: the shared journal, or the model directory.
    static func location(_ journal: ChangeJournal, _ options: ModelOptions) -> String {
        journal.isShared ? journal.name : options.directory
    }

    /// Where a change reaches the servers, for the message after it.
    static func applied(_ journal: ChangeJournal) -> String {
        journal.isShared
            ? "every replica on it applies it within a second"
            : "a running server applies it at its next reload (POST /admin/reload or SIGHUP)"
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the overrides, of one article or of all.")

        @Argument(help: "An article id; all articles when absent.")
        var id: String?

        @OptionGroup var modelOptions: ModelOptions

        @OptionGroup var journalOptions: JournalOptions

        func run() throws {
            let (journal, index) = try Overrides.open(modelOptions, journalOptions)
            let overrides = index.overrides
            let ids = id.map { [$0] } ?? overrides.entries.keys.sorted()
            if ids.isEmpty { print("(no overrides in \(Overrides.location(journal, modelOptions)))") }
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
            let (journal, index) = try Overrides.open(modelOptions, journalOptions)
            let root = Overrides.location(journal, modelOptions)
            do {
                try index.check(entry, for: id)
            } catch LiveIndex.OverridesRefusal.unknownArticle {
                throw CLIError("no article with id '\(id)' in \(root)")
            } catch LiveIndex.OverridesRefusal.unknownPin(let unknown) {
                throw CLIError("can't pin '\(unknown)': no such article in \(root)")
            }
            try journal.setOverrides(entry, for: id)
            StandardError.print("saved in \(root); \(Overrides.applied(journal))")
        }
    }

    struct Clear: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an article's pins and blocks.")

        @Argument(help: "The article id.")
        var id: String

        @OptionGroup var modelOptions: ModelOptions

        @OptionGroup var journalOptions: JournalOptions

        func run() throws {
            let (journal, index) = try Overrides.open(modelOptions, journalOptions)
            guard index.overrides.entry(for: id) != nil else {
                throw CLIError("'\(id)' has no overrides in \(Overrides.location(journal, modelOptions))")
            }
            try journal.setOverrides(nil, for: id)
            StandardError.print("cleared; \(Overrides.applied(journal))")
        }
    }
}
