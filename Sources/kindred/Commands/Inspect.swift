import ArgumentParser
import Foundation
import KindredEngine
import KindredLinearAlgebra

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a model's manifest, the BLAS in use, and the top terms of its first dimensions.",
        discussion: """
            Example:
              kindred inspect --model models/default --show-dimensions 3
            """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .customLong("show-dimensions"), help: "How many leading LSA dimensions to describe.")
    var shownDimensions: Int = 5

    @Option(name: .customLong("terms"), help: "Terms shown per dimension.")
    var termsPerDimension: Int = 8

    func validate() throws {
        guard shownDimensions >= 0, termsPerDimension >= 1 else {
            throw ValidationError("--show-dimensions must be ≥ 0 and --terms ≥ 1")
        }
    }

    static func describe(_ statistics: HubnessStatistics, title: String) -> String {
        let hubs = statistics.topHubs.map { "\($0.id) \($0.occurrences)" }.joined(separator: ", ")
        return
            "\(title): in top-\(statistics.depth) lists, max \(statistics.maximum) appearances (mean \(statistics.depth)), "
            + "skewness \(String(format: "%.2f", statistics.skewness)), "
            + "\(String(format: "%.1f", statistics.neverListed * 100)) % of articles in none; most listed: \(hubs)"
    }

    func run() throws {
        let (model, path) = try modelOptions.load()
        print("model: \(path)")
        print(String(decoding: try model.manifest.encoded(), as: UTF8.self))
        let backend = BLASBackend.current
        print("CPU now: \(CPUClass.current.summary)")
        print("BLAS now: \(backend.summary)")
        if let warning = backend.warning { print("warning: \(warning)") }
        print("search: \(model.index.candidateStage)")
        print(
            model.index.approximateIndex.map {
                "approximate index: \($0.summary); "
                    + (SearchSettings(mode: .automatic).usesApproximateIndex(articles: model.articles.count, index: $0)
                        ? "searched by default (--search exact to score every article)"
                        : "not used unless --search approximate (it is from \(SearchSettings.automaticThreshold) articles up when its graph reached the recall target or it probes at most a quarter of its lists)")
            } ?? "approximate index: none (every search is exact)")
        print("semantic: \(model.semanticSummary)")
        print(model.manifest.archiveChoice?.summary ?? "analysis: as the build options gave it")
        if let descent = model.manifest.listsDescent { print(descent.summary) }
        if let hubness = model.manifest.hubness {
            print(Self.describe(hubness.measured, title: "hubness"))
            if let after = hubness.afterCap, let cap = hubness.cap {
                print(
                    Self.describe(after, title: "after the cap of \(cap) (\(hubness.cappedArticles) articles capped)"))
            }
        } else {
            print("hubness: not measured (the model has no precomputed lists)")
        }
        let d = model.dimensions
        for j in 0..<min(shownDimensions, d) {
            let column = (0..<model.termVectors.rows).map { model.termVectors[$0, j] }
            let top = column.indices.sorted { abs(column[$0]) > abs(column[$1]) }.prefix(termsPerDimension)
            let terms = top.map {
                "\(model.weighting.vocabulary.surfaceForm($0)) (\(String(format: "%+.3f", column[$0])))"
            }
            print(
                "dimension \(j + 1) (σ \(String(format: "%.3f", model.singularValues[j]))): \(terms.joined(separator: ", "))"
            )
        }
    }
}
