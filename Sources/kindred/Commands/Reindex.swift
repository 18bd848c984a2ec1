import ArgumentParser
import Foundation
import KindredEncoder
import KindredEngine
import KindredLinearAlgebra
import KindredSources
import KindredText

struct Reindex: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build a model from a corpus and publish it as the newest version in the model directory.",
        discussion: """
            The corpus is JSON Lines, one article per line: "id" (required, unique), "title" and \
            "body" (at least one non-empty), and optionally "url", "published_at" (RFC 3339), \
            "section", "language" (BCP 47, default en) and "tags" (array of strings). Other \
            fields are ignored.

            Every invalid line is reported with file, line and reason. By default the reindex then \
            fails and the model in use is left untouched; --skip-invalid indexes the rest.

            Articles PUT or DELETEd on a running server since the last reindex are in the model \
            directory's journal.jsonl; reindex applies them on top of the corpus (--no-journal to \
            ignore them) and the new model records how far it got, so the server replays only \
            what came after.

            The new model is written under a temporary name and renamed into place, so a killed \
            reindex never damages the model being served. Older versions beyond --keep are removed.

            Examples:
              kindred reindex --corpus corpus/ --model models/default
              kindred reindex --corpus corpus/ --model models/default --dimensions 64 --keep 2

            A --source database (postgresql://kindred@db.internal/cms, say) is read instead of a \
            corpus: the rows of --query (default: the \
            table articles), their columns named like the corpus fields, are checked like corpus \
            lines. The database's clock at the start of the read becomes the first watermark of \
            'kindred serve --sync-query' (sync-state.json in the model directory) unless one is \
            already there. docs/sources.md has queries for WordPress and a plain table.
            """)

    @Option(help: ArgumentHelp("A .jsonl file, or a directory of them.", valueName: "path"))
    var corpus: String?

    @OptionGroup var sourceOptions: SourceOptions

    var source: String? { sourceOptions.source }

    @Option(
        help: ArgumentHelp(
            "The SQL that returns one row per article, its columns named like the corpus fields (default: \(ArticleSource.defaultQuery)).",
            valueName: "sql"))
    var query: String?

    /// `--body-format`: how bodies without a `body_format` field are read.
    enum BodyFormatChoice: String, ExpressibleByArgument, CaseIterable {
        case auto, html, text
    }

    @Option(
        name: .customLong("body-format"),
        help:
            "Bodies without a body_format field: auto (HTML when one holds a tag, a comment or an entity), html or text."
    )
    var bodyFormat: BodyFormatChoice = .auto

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var build: BuildOptions

    @OptionGroup(title: "Semantic channel (on when --encoder or $KINDRED_ENCODER names an encoder)")
    var encoderOptions: EncoderOptions

    @Option(
        name: .customLong("semantic-weight"),
        help: ArgumentHelp(
            "The semantic weight the precomputed lists are fused at, 0 to 1: by-id answers at this weight read their list. 0 builds on words alone, without the encoder.",
            valueName: "weight"))
    var semanticWeight: Double = Double(RelatedQuery.defaultSemanticWeight)

    @Flag(
        name: .customLong("skip-invalid"),
        help: "Index the valid articles even if some lines are invalid (they are listed).")
    var skipInvalid = false

    @Option(
        help: ArgumentHelp(
            "Journal of server writes to absorb: a file, or the replicas' postgresql:// journal (default: journal.jsonl in the model directory).",
            discussion:
                "With a postgresql:// journal the new version is announced there, and every replica on it switches to it without a signal; one such reindex runs at a time.",
            valueName: "path-or-url"))
    var journal: String?

    @Flag(name: .customLong("no-journal"), help: "Ignore the journal of server writes.")
    var ignoreJournal = false

    @Option(help: "How many model versions to keep in the model directory.")
    var keep: Int = 3

    @Option(
        help: ArgumentHelp(
            "Articles from which the approximate index gets its graph.",
            discussion:
                "Smaller archives are searched exactly by default and their approximate index holds lists alone; 0 builds the graph for any archive (for '--search approximate' on a small one).",
            valueName: "n"))
    var graphFrom: Int = NeighborGraph.minimumArticles

    @Option(
        help: ArgumentHelp(
            "Articles from which related lists' candidates are found by neighbour descent.",
            discussion:
                "Smaller archives score every pair of articles (O(n²)); larger ones start from the approximate index's lists and score neighbours of neighbours (O(n)), and the build prints how far the lists agree with exact ones. 0 uses descent for any archive.",
            valueName: "n"))
    var listsFrom: Int = ListsDescent.defaultFrom

    func validate() throws {
        guard (corpus == nil) != (source == nil) else {
            throw ValidationError("give --corpus or --source (one of them)")
        }
        if query != nil && source == nil { throw ValidationError("--query reads from a --source database") }
        guard keep >= 1 else { throw ValidationError("--keep must be at least 1; got \(keep)") }
        guard graphFrom >= 0 else { throw ValidationError("--graph-from must be 0 or more; got \(graphFrom)") }
        guard listsFrom >= 0 else { throw ValidationError("--lists-from must be 0 or more; got \(listsFrom)") }
        guard semanticWeight.isFinite, (0...1).contains(semanticWeight) else {
            throw ValidationError("--semantic-weight must be between 0 and 1; got \(semanticWeight)")
        }
    }

    func run() throws {
        FreedMemory.mapBlocks(atLeast: 1 << 20)
        let started = Date()
        try build.parameters.validate()
        let backend = BLASBackend.current
        StandardError.print("CPU: \(CPUClass.current.summary)")
        StandardError.print("BLAS: \(backend.summary)")
        if let warning = backend.warning { StandardError.print("warning: \(warning)") }

        // Taken before the read, so that a change made during it is synced again rather than missed.
        let sourceClock = try sourceOptions.url().map { try ArticleSource.databaseNow(url: $0) }
        let directory = ModelDirectory(path: modelOptions.directory)
        let reindexing: Reindexing
        do {
            reindexing = try Reindexing(directory: directory, journal: try journalToAbsorb(in: directory), keep: keep) {
                StandardError.print($0)
            }
        } catch let error as Reindexing.ReindexError {
            throw CLIError(error.description)
        }
        var (articles, invalid) = try readCorpus()
        let journalSequence = try reindexing.absorb(into: &articles)
        let (sized, notice) = build.parameters(articles: articles.count)
        if let notice { StandardError.print("note: \(notice)") }
        let printer = ProgressPrinter()
        var builder = ModelBuilder(
            parameters: sized, lowerDimensionsToFit: build.dimensions == nil, automatic: build.automatic)
        builder.graphFrom = graphFrom
        builder.listsFrom = listsFrom
        builder.journalIdentity = try reindexing.journalIdentity()
        builder.semantic = try semanticBuild()
        builder.listsSemanticWeight = Float(semanticWeight)
        let outcome = try builder.build(consume articles, journalSequence: journalSequence) { printer.report($0) }
        for notice in outcome.notices { StandardError.print("note: \(notice)") }
        if let counts = outcome.semanticCounts {
            StandardError.print(
                "semantic: embedded \(counts.embedded) article(s), reused \(counts.reused) unchanged from the previous model"
                    + (counts.uncovered > 0 ? ", \(counts.uncovered) in languages the encoder doesn't read" : ""))
        }
        StandardError.print("search: \(outcome.model.index.candidateStage)")
        let writeStart = Date()
        PeakMemory.reset()
        let published = try reindexing.publish(outcome.model, sourceClock: sourceClock)
        StandardError.print("write: done in \(Self.seconds(since: writeStart))\(PeakMemory.caption())")

        let manifest = outcome.model.manifest
        print(
            """
            model:      \(published)
            articles:   \(manifest.articles) (\(invalid) invalid line(s) skipped)
            terms:      \(manifest.terms)
            dimensions: \(manifest.dimensions)
            explained:  \(String(format: "%.1f%%", manifest.explainedVariance * 100)) of the TF-IDF matrix's energy
            time:       \(Self.seconds(since: started))
            """)
        if let peak = PeakMemory.overallPeakBytes() { print("peak:       \(peak / 1_000_000) MB resident") }
    }

    /// The encoder and the previous model's vectors, when `--encoder` or `$KINDRED_ENCODER` names
    /// one and `--semantic-weight` is above 0; nil builds on words alone.
    func semanticBuild() throws -> SemanticBuild? {
        let location = encoderOptions.location
        guard location.origin != .defaultFolder, semanticWeight > 0 else { return nil }
        let encoder = try encoderOptions.load()
        let cache = ModelDirectory(path: modelOptions.directory).semanticCache { StandardError.print("warning: \($0)") }
        StandardError.print(
            "semantic: \(encoder.identity), \(encoderOptions.encoderMaxTokens) word pieces; \(cache.count) vector(s) to reuse"
        )
        return SemanticBuild(encoder: encoder, maxTokens: encoderOptions.encoderMaxTokens, cache: cache)
    }

    /// The corpus's articles and how many invalid lines were skipped.
    ///
    /// - Throws: `CLIError` for invalid lines without `--skip-invalid` (the model in use is unchanged).
    func readCorpus() throws -> (articles: [Article], invalid: Int) {
        let readStart = Date()
        PeakMemory.reset()
        var read: CorpusReader.Result
        if let url = try sourceOptions.url() {
            StandardError.print("reading \(url.redacted)")
            read = try ArticleSource.read(
                url: url, query: query ?? ArticleSource.defaultQuery,
                bodyFormat: BodyFormat(rawValue: bodyFormat.rawValue))
        } else {
            StandardError.print("reading \(corpus ?? "")")
            read = try CorpusReader(bodyFormat: BodyFormat(rawValue: bodyFormat.rawValue)).read(path: corpus ?? "")
        }
        StandardError.print("read: done in \(Self.seconds(since: readStart))\(PeakMemory.caption())")
        if !read.problems.isEmpty {
            Self.report(read.problems)
            guard skipInvalid else {
                throw CLIError(
                    "\(read.problems.count) of \(read.lines) lines are invalid; the model in use is unchanged. "
                        + "Fix them, or pass --skip-invalid to index the \(read.articles.count) valid articles")
            }
            StandardError.print("skipping \(read.problems.count) invalid line(s) (--skip-invalid)")
        }
        StandardError.print(
            "\(read.articles.count) articles from "
                + (source == nil ? "\(read.files.count) file(s)" : "\(read.lines) row(s)"))
        let articles = read.articles
        read.articles = []  // the build consumes the only reference and frees the texts once analysed
        return (articles, read.problems.count)
    }

    /// The journal whose writes this reindex absorbs: the replicas' when `--journal` is a
    /// postgresql:// URL, a journal file when it names one, else the directory's own; none with
    /// `--no-journal`.
    func journalToAbsorb(in directory: ModelDirectory) throws -> ChangeJournal? {
        guard !ignoreJournal else { return nil }
        guard let journal else { return directory.journal() }
        if let url = try? SourceURL(journal), url.scheme == .postgresql { return try PostgreSQLJournal(url: url) }
        return FileJournal(directory: directory, file: journal)
    }

    static func seconds(since start: Date) -> String {
        String(format: "%.2f s", Date().timeIntervalSince(start))
    }

    /// Lists the first 20 problems on stderr and counts the rest.
    static func report(_ problems: [CorpusProblem]) {
        let shown = 20
        for problem in problems.prefix(shown) { StandardError.print("invalid: \(problem)") }
        if problems.count > shown { StandardError.print("… and \(problems.count - shown) more invalid line(s)") }
    }
}
