import ArgumentParser
import KindredAPI
import KindredEngine
import KindredText

/// The model-building options shared by `reindex` and `eval`.
struct BuildOptions: ParsableArguments {
    @Option(
        help:
            "LSA dimensions (default 256, lowered to fit a small corpus; an explicit value that doesn't fit is an error)."
    )
    var dimensions: Int?

    @Option(
        name: .customLong(ParameterSpelling.buildFlag(.titleWeight)),
        help: "How many body words one title or tag word counts as.")
    var titleWeight: Float = ModelParameters().titleWeight

    @Option(
        name: .customLong(ParameterSpelling.buildFlag(.minimumDocumentFrequency)),
        help: "Drop terms found in fewer articles than this.")
    var minimumDocumentFrequency: Int = ModelParameters().minimumDocumentFrequency

    @Option(
        name: .customLong(ParameterSpelling.buildFlag(.maximumDocumentFrequency)),
        help: "Drop terms found in more than this fraction of articles (0–1].")
    var maximumDocumentFrequency: Double = ModelParameters().maximumDocumentFrequency

    @Option(
        name: .customLong(ParameterSpelling.buildFlag(.maximumTerms)),
        help: ArgumentHelp(
            "Keep at most this many terms, those found in the most articles (0: no bound).",
            discussion:
                "Each term costs 4 bytes per dimension in the SVD and the model (1 KB at 256): the bound keeps a multi-million-article archive within memory."
        ))
    var maximumTerms: Int = ModelParameters.defaultMaximumTerms

    @Flag(
        name: .customLong("phrases"), inversion: .prefixedNo,
        help: ArgumentHelp(
            "Index word bigrams such as \"red dot\" beside single words.",
            discussion: "Default: on, off for a multilingual archive (see --weighting)."))
    var phrases: Bool?

    @Flag(
        name: .customLong("stemming"), inversion: .prefixedNo,
        help: "Stem words with Snowball in each article's language.")
    var stemming = AnalyzerOptions().stemming

    @Option(
        name: .customLong(ParameterSpelling.buildFlag(.powerIterations)),
        help:
            "Subspace iterations of the randomized SVD: more is closer to the exact SVD and slower; ranking quality stops improving at 2 (docs/quality.md)."
    )
    var powerIterations: Int = ModelParameters().powerIterations

    @Option(help: "Extra random directions of the randomized SVD.")
    var oversampling: Int = ModelParameters().oversampling

    @Option(help: "Random seed: the same corpus and seed give the same model.")
    var seed: UInt64 = ModelParameters().seed

    @Option(
        help: ArgumentHelp(
            "Term weighting: tfidf or log-entropy.",
            discussion:
                "Default: tfidf, log-entropy for a multilingual archive (no language with 3 articles in 4: docs/quality.md).",
            valueName: "scheme"))
    var weighting: WeightingScheme?

    @Option(
        name: .customLong(ParameterSpelling.buildFlag(.lexicalWeight)),
        help: "Weight of the TF-IDF cosine when re-ranking LSA's best candidates (0 = pure LSA).")
    var lexicalWeight: Float = ModelParameters().lexicalWeight

    @Option(
        name: .customLong(ParameterSpelling.buildFlag(.headlineWeight)),
        help: "Weight of the headline match (text against the other's title and tags) when re-ranking (0 = off).")
    var headlineWeight: Float = ModelParameters().headlineWeight

    @Option(
        name: .customLong(ParameterSpelling.buildFlag(.rerankDepth)),
        help: ArgumentHelp(
            "How many LSA candidates are re-ranked.",
            discussion:
                "Default: \(ModelParameters().rerankDepth), or \(BuildOptions.largeArchiveDepth) from \(BuildOptions.largeArchive) articles (a narrower beam finds them: docs/performance.md, *1M articles*)."
        ))
    var rerankDepth: Int?

    @Option(
        name: .customLong(ParameterSpelling.buildFlag(.neighbors)),
        help: ArgumentHelp(
            "Related articles precomputed per article for by-id requests (0: none).",
            discussion:
                "Default: \(ModelParameters().neighbors), or \(BuildOptions.largeArchiveDepth) from \(BuildOptions.largeArchive) articles, where their candidates are found by neighbour descent (see --lists-from)."
        ))
    var neighbors: Int?

    @Option(
        name: .customLong(ParameterSpelling.buildFlag(.hubCap)),
        help:
            "No article in the first 10 places of more precomputed lists than this (0: no cap). See 'kindred inspect'.")
    var hubCap: Int = ModelParameters().hubCap

    /// From this many articles a build finds its lists' candidates by neighbour descent
    /// (`ListsDescent.defaultFrom`), and the lists and the re-ranking are `largeArchiveDepth` deep.
    static let largeArchive = ListsDescent.defaultFrom
    /// A large archive's default list width and re-ranking depth: the calibrated beam that finds
    /// a re-ranked top 10 among 30 candidates is a fraction of the one among 100, and a by-id
    /// request reads its list (docs/performance.md, *1M articles*).
    static let largeArchiveDepth = 30

    /// The parameters for a corpus of `articles` articles, and a notice when a default was changed
    /// for its size.
    func parameters(articles: Int) -> (ModelParameters, notice: String?) {
        var result = parameters
        guard articles >= Self.largeArchive, neighbors == nil || rerankDepth == nil else { return (result, nil) }
        if neighbors == nil { result.neighbors = Self.largeArchiveDepth }
        if rerankDepth == nil { result.rerankDepth = Self.largeArchiveDepth }
        return (
            result,
            "\(articles) articles: related lists \(result.neighbors) deep and re-ranking \(result.rerankDepth) candidates from \(Self.largeArchive) articles (--neighbors and --rerank-depth choose)"
        )
    }

    /// The parameters the build chooses from the archive: those not given.
    var automatic: AutomaticParameters {
        var result: AutomaticParameters = []
        if phrases == nil { result.insert(.phrases) }
        if weighting == nil { result.insert(.weighting) }
        return result
    }

    /// The parameters as given, with the library's defaults for the rest (`automatic` says which
    /// of those the build may change).
    var parameters: ModelParameters {
        ModelParameters(
            analyzer: AnalyzerOptions(phrases: phrases ?? AnalyzerOptions().phrases, stemming: stemming),
            weighting: weighting ?? ModelParameters().weighting,
            titleWeight: titleWeight,
            minimumDocumentFrequency: minimumDocumentFrequency, maximumDocumentFrequency: maximumDocumentFrequency,
            maximumTerms: maximumTerms == 0 ? nil : maximumTerms,
            dimensions: dimensions ?? ModelParameters().dimensions, oversampling: oversampling,
            powerIterations: powerIterations, seed: seed, lexicalWeight: lexicalWeight, headlineWeight: headlineWeight,
            rerankDepth: rerankDepth ?? ModelParameters().rerankDepth,
            neighbors: neighbors ?? ModelParameters().neighbors, hubCap: hubCap)
    }
}

extension WeightingScheme: ExpressibleByArgument {}
