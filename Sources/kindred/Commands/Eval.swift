import ArgumentParser
import Foundation
import KindredEncoder
import KindredEngine
import KindredLinearAlgebra

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure ranking quality: recall@k, nDCG@k, MRR@k and precision@k, or correlation with rated pairs.",
        discussion: """
            Builds a model from --corpus with the given model options (or loads --model), ranks \
            every judged article and prints the metrics macro-averaged over queries, with build \
            and query time. The answers come from one of:

              --qrels FILE     JSON Lines {"id": "...", "relevant": ["...", ...]}
              --label section  every other article of the same section (read
                               precision@k: recall is bounded by k / section size)
              --links          the ids or urls editors put in each article's "related" or
                               "links" field
              --pairs FILE     pairs rated by people, 'id1<TAB>id2<TAB>rating' per line:
                               prints Pearson's r and Spearman's rho between each pair's
                               score (the blend a by-id list ranks by, computed for the pair)
                               and the rating, over all pairs and per language of the first
                               article; a pair without a score counts 0

            The plain ranking is measured (every language, no relevance floor, no \
            de-duplication), so figures compare with other engines; ranking options measure their \
            effect, and --as-served starts from the server's defaults instead. --floors prints \
            what each relevance floor would keep.

            Examples (the sample corpus and its judgements, corpus/judgements):
              kindred eval --corpus corpus/ --qrels corpus/judgements/qrels.jsonl
              kindred eval --corpus corpus/ --label section --as-served --floors
              kindred eval --corpus corpus/ --label section -k 5 --json
              kindred eval --corpus corpus/ --label section --dimensions 40 --title-weight 3
              kindred eval --corpus corpus/ --pairs corpus/judgements/pairs.tsv --json
            """)

    @Option(help: ArgumentHelp("The articles (a .jsonl file or a directory of them).", valueName: "path"))
    var corpus: String

    @Option(help: ArgumentHelp("Relevance judgements, JSON Lines.", valueName: "path"))
    var qrels: String?

    @Option(help: ArgumentHelp("Judge by an article field instead of qrels (only 'section').", valueName: "field"))
    var label: String?

    @Flag(help: "Judge by the links editors put in the articles ('related' or 'links' fields).")
    var links = false

    @Option(
        help: ArgumentHelp(
            "Pairs rated by people, 'id1<TAB>id2<TAB>rating' per line: correlation instead of top-k metrics.",
            valueName: "path"))
    var pairs: String?

    @Option(help: ArgumentHelp("Evaluate this model instead of building one.", valueName: "dir"))
    var model: String?

    @Option(name: .short, help: "The cut-off rank.")
    var k: Int = 10

    @Option(help: "Evaluate only this many judged articles, drawn with a fixed seed (large corpora).")
    var sample: Int?

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Flag(name: .customLong("as-served"), help: "Start from the server's ranking defaults, not the plain ranking.")
    var asServed = false

    @Flag(help: "Print what each relevance floor would keep and drop.")
    var floors = false

    @OptionGroup var build: BuildOptions
    @OptionGroup var ranking: RankingOptions

    @OptionGroup(title: "Semantic channel (on when --encoder or $KINDRED_ENCODER names an encoder)")
    var encoderOptions: EncoderOptions

    func validate() throws {
        let sources = [qrels != nil, label != nil, links, pairs != nil].filter { $0 }.count
        guard sources == 1 else {
            throw ValidationError("give exactly one of --qrels, --label section, --links, --pairs")
        }
        if let label, label != "section" { throw ValidationError("--label takes 'section'; got '\(label)'") }
        guard (1...1000).contains(k) else { throw ValidationError("-k must be between 1 and 1000; got \(k)") }
        if let sample, sample < 1 { throw ValidationError("--sample must be at least 1; got \(sample)") }
    }

    /// `--json`'s report: `report` for top-k judgements, `correlation` for `--pairs`.
    struct JSONReport: Encodable {
        var corpus: String
        var judgements: String
        var articles: Int
        var dimensions: Int
        var buildSeconds: Double?
        var report: Evaluation.Report?
        var correlation: PairCorrelation?
        var parameters: ModelParameters
    }

    func printJSON(
        _ model: Model, judgements: String, buildSeconds: Double?, report: Evaluation.Report? = nil,
        correlation: PairCorrelation? = nil
    ) throws {
        print(
            try Output.json(
                JSONReport(
                    corpus: corpus, judgements: judgements, articles: model.articles.count,
                    dimensions: model.dimensions,
                    buildSeconds: buildSeconds, report: report, correlation: correlation, parameters: model.parameters))
        )
    }

    func run() throws {
        FreedMemory.mapBlocks(atLeast: 1 << 20)
        let read = try CorpusReader().read(path: corpus)
        if !read.problems.isEmpty {
            Reindex.report(read.problems)
            throw CLIError("\(read.problems.count) invalid line(s) in the corpus; fix them first")
        }
        let (built, buildSeconds) = try model(of: read.articles)
        if let pairs {
            return try correlate(pairs: pairs, model: built, articles: read.articles, buildSeconds: buildSeconds)
        }
        let (judged, source) = try judgements(of: read.articles)
        let judgements = sample.map { Qrels.sample(judged, count: $0) } ?? judged
        let query = try ranking.query(k: k, base: asServed ? nil : .unshaped(k: k))
        let index = LiveIndex(model: built, version: "eval")
        let report = try Evaluation(k: k).run(
            judgements: judgements, known: { built.row(of: $0) != nil },
            rank: { try index.related(to: $0, query: query).results.map { ($0.article.id, $0.score) } })
        if report.queries == 0 {
            throw CLIError(
                "no judged article is in the model with an answer in it; check that the judgements use the corpus ids")
        }
        if json {
            return try printJSON(built, judgements: source, buildSeconds: buildSeconds, report: report)
        }
        printReport(report, model: built, judgements: source, buildSeconds: buildSeconds)
    }

    /// The model to evaluate: `--model`'s, or one built from the corpus with the build options.
    func model(of articles: [Article]) throws -> (Model, buildSeconds: Double?) {
        if let model { return (try ModelDirectory(path: model).load().model, nil) }
        let start = Date()
        // Evaluation ranks by search; precomputed lists would only cost build time.
        // The re-ranking depth for the archive's size, as `reindex` chooses it.
        var parameters = build.parameters(articles: articles.count).0
        if build.neighbors == nil { parameters.neighbors = 0 }
        var builder = ModelBuilder(
            parameters: parameters, lowerDimensionsToFit: build.dimensions == nil, automatic: build.automatic)
        if encoderOptions.location.origin != .defaultFolder {
            builder.semantic = SemanticBuild(
                encoder: try encoderOptions.load(), maxTokens: encoderOptions.encoderMaxTokens)
        }
        let outcome = try builder.build(articles)
        if let notice = outcome.model.manifest.archiveChoice?.notice { StandardError.print("note: \(notice)") }
        return (outcome.model, Date().timeIntervalSince(start))
    }

    /// The judgements `--qrels`, `--label` or `--links` asks for, and how to name them.
    func judgements(of articles: [Article]) throws -> ([String: Set<String>], source: String) {
        if let qrels { return (try Qrels.read(path: qrels), qrels) }
        if label != nil { return (Qrels.sameSection(articles), "label section") }
        return (Qrels.editorsLinks(articles), "editors' links")
    }

    func printReport(_ report: Evaluation.Report, model: Model, judgements source: String, buildSeconds: Double?) {
        let m = report.metrics
        print(
            """
            corpus:       \(corpus) (\(model.articles.count) articles, \(model.dimensions) dimensions)
            judgements:   \(source): \(report.queries) queries (\(report.skipped) skipped: not in the model or no answer in it)
            recall@\(k):    \(String(format: "%.4f", m.recall))
            nDCG@\(k):      \(String(format: "%.4f", m.ndcg))
            MRR@\(k):       \(String(format: "%.4f", m.reciprocalRank))
            precision@\(k): \(String(format: "%.4f", m.precision))
            build:        \(buildSeconds.map { String(format: "%.2f s", $0) } ?? "loaded")
            query:        \(String(format: "%.3f ms", report.medianQueryMilliseconds)) median
            """)
        guard floors else { return }
        print("\nfloor   recall kept   relevant among dropped   relevant among kept   results/query")
        for effect in report.floors {
            let dropped =
                effect.precisionOfDropped.map { String(format: "%22.4f", $0) } ?? String(repeating: " ", count: 21)
                + "-"
            print(
                String(format: "%5.2f   %11.4f   ", effect.floor, effect.recallKept) + dropped
                    + String(format: "   %19.4f   %13.2f", effect.precisionOfKept, effect.meanResults))
        }
    }

    /// `--pairs`: each rated pair scored directly, correlated with the ratings.
    func correlate(pairs path: String, model: Model, articles: [Article], buildSeconds: Double?) throws {
        let rated = try RatedPair.read(path: path)
        guard !rated.isEmpty else { throw CLIError("\(path) holds no rated pair") }
        var languages: [String: String] = [:]
        for article in articles { languages[article.id] = article.language }
        let correlation = PairCorrelation(pairs: rated, language: { languages[$0.first] }) { pair in
            guard let a = model.row(of: pair.first), let b = model.row(of: pair.second) else { return nil }
            return model.similarity(
                row: a, to: b,
                semanticWeight: ranking.semanticWeight.map(Float.init) ?? RelatedQuery.defaultSemanticWeight)
        }
        if correlation.overall.unscored == rated.count {
            throw CLIError("no pair in \(path) has both articles in the model; check that it uses the corpus ids")
        }
        if json {
            return try printJSON(
                model, judgements: "pairs \(path)", buildSeconds: buildSeconds, correlation: correlation)
        }
        func format(_ value: Double?) -> String { value.map { String(format: "%8.4f", $0) } ?? "       -" }
        print(
            """
            corpus:    \(corpus) (\(model.articles.count) articles, \(model.dimensions) dimensions)
            pairs:     \(path): \(rated.count) pairs, \(correlation.overall.unscored) without a score (counted 0)
            build:     \(buildSeconds.map { String(format: "%.2f s", $0) } ?? "loaded")

            language    pairs   Pearson  Spearman
            """)
        for group in [correlation.overall] + correlation.languages {
            print(
                group.language.padding(toLength: 10, withPad: " ", startingAt: 0)
                    + String(format: " %7d ", group.pairs) + format(group.pearson) + "  " + format(group.spearman))
        }
    }
}
