import KindredLinearAlgebra

/// Everything a model stores to search approximately: the partition into lists
/// (`InvertedFileIndex`), the graph over the same articles (`NeighborGraph`) when the archive is
/// large enough for one, and the build's calibration of each: how many lists a query probes and
/// how wide a beam a walk keeps, with the recall each measured (`EmbeddingIndex.calibrating`).
///
/// A value: the searches made from it (`ListScan`, `GraphWalk`) hold the codes they read, which
/// are made from the article vectors when a model is loaded to search approximately.
public struct ApproximateIndex: Sendable, Equatable {
    public let lists: InvertedFileIndex
    /// The lists a query probes unless told otherwise: the fewest whose sample of the build's
    /// own articles made sure of `calibrationTarget`.
    public let probes: Calibration
    /// The graph, which answers the searches that admit most articles; nil in an archive too small
    /// to need one (`NeighborGraph.minimumArticles`).
    public let graph: NeighborGraph?
    /// The beam a walk of `graph` keeps unless told otherwise; nil exactly when there is no graph.
    public let beam: Calibration?

    public init(lists: InvertedFileIndex, probes: Calibration, graph: NeighborGraph? = nil, beam: Calibration? = nil) {
        self.lists = lists
        self.probes = probes
        self.graph = graph
        self.beam = beam
    }

    /// An index of `lists` before any calibration: a twentieth of the lists probed, no graph.
    public init(uncalibrated lists: InvertedFileIndex) {
        self.init(lists: lists, probes: Calibration(value: max(1, lists.lists / 20)))
    }

    /// Recall@10 against exact search the build's calibration makes sure of: the 0.98 drafts are
    /// promised. A setting reaches it when its sample's one-sided 95 % lower bound does
    /// (`SampledRecall`), so the margin is the sample's noise, not a guess. The sampled articles
    /// are the harder queries besides: by id for the lists, held out of the walk for the graph
    /// (docs/performance.md, *The approximate index*).
    public static let calibrationTarget: Float = 0.98

    /// Whether searches that admit most articles go through the graph: it exists and its
    /// calibration measured `calibrationTarget` within `NeighborGraph.widestBeam`.
    public var searchesGraph: Bool {
        guard graph != nil, let beam else { return false }
        return beam.queries > 0 && beam.recall >= Self.calibrationTarget
    }

    /// This index with other probes.
    func with(probes: Calibration) -> ApproximateIndex {
        ApproximateIndex(lists: lists, probes: probes, graph: graph, beam: beam)
    }

    /// This index with another graph and beam (nil: none).
    func with(graph: NeighborGraph?, beam: Calibration?) -> ApproximateIndex {
        ApproximateIndex(lists: lists, probes: probes, graph: graph, beam: graph == nil ? nil : beam)
    }

    /// What is wrong with this index for a model of `articles` rows of `dimensions`, or nil.
    public func problem(articles: Int, dimensions: Int) -> String? {
        if let problem = lists.problem(articles: articles, dimensions: dimensions) { return problem }
        if let problem = probes.problem("probes", in: 1...lists.lists) { return problem }
        switch (graph, beam) {
        case (nil, nil): return nil
        case (let graph?, let beam?):
            return graph.problem(articles: articles).map { "graph: \($0)" }
                ?? beam.problem("beam", in: 1...NeighborGraph.widestBeam)
        default: return "a graph without its beam, or a beam without a graph"
        }
    }

    /// One line for `inspect` and the server's log.
    public var summary: String {
        func counted(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }
        var line =
            "\(counted(lists.lists, "list")) in \(counted(lists.groups, "group")), \(probes.value) probed per query"
            + probes.clause
        if let graph, let beam {
            line += "; \(graph.summary), beam \(beam.value)\(beam.clause)"
            if !searchesGraph { line += " (not searched: below the target)" }
        }
        return line
    }
}
