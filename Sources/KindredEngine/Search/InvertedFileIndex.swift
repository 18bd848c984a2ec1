import Foundation
import KindredLinearAlgebra

/// The approximate index: the articles partitioned into lists of about `listSize` by a two-level
/// spherical k-means, so that a query scores only the articles of the lists whose centroids are
/// nearest to it.
///
/// An inverted file over cluster centroids (Sivic & Zisserman 2003, "Video Google"; with the
/// vectors' codes inside the lists, Jégou, Douze & Schmid 2011, "Product quantization for nearest
/// neighbor search", IVFADC). The centroids form a two-level tree (Nistér & Stewénius 2006,
/// "Scalable recognition with a vocabulary tree"): `groups` coarse centroids, each with its own
/// list centroids, so that training compares each sample row with a few hundred centroids rather
/// than every list's. A query still ranks every list centroid (`InvertedLists.probeOrder`: the
/// tree's descent missed too many near lists). Centroids are unit-length means of their members
/// (spherical k-means, Dhillon & Modha 2001, "Concept decompositions for large sparse text data
/// using clustering": cosine is the similarity the lists are searched by).
///
/// What is stored (the model file's approximate-index section) is the partition: centroids and
/// which rows each list holds; and the graph built from it (`NeighborGraph`), which answers the
/// searches the lists would answer slowly: at a million articles the lists must scan 12.5 % of the
/// archive for the recall target, the graph scores a few thousand articles. The lists remain the
/// path for filters that leave too few of the articles the graph reaches. The 4-bit codes a
/// list scan reads and the int8 codes the graph search reads are made from the article vectors
/// when a model is loaded to search approximately (`InvertedLists`, `EmbeddingIndex`).
public struct InvertedFileIndex: Sendable, Equatable {
    /// Coarse centroids, `(groups × dimensions)`.
    public let groupCentroids: DenseMatrix
    /// The lists of group `g` are `groupOffsets[g]..<groupOffsets[g + 1]`.
    public let groupOffsets: [Int32]
    /// List centroids, `(lists × dimensions)`, ordered by group.
    public let listCentroids: DenseMatrix
    /// The rows of list `l` are `rows[listOffsets[l]..<listOffsets[l + 1]]`.
    public let listOffsets: [Int32]
    /// Every article row once, list by list.
    public let rows: [Int32]
    /// How many lists a query probes unless told otherwise: the fewest whose sample of the build's
    /// own articles made sure of `calibrationTarget` recall (`calibrated`, `SampledRecall`).
    public private(set) var probes: Int
    /// The recall@10 against exact search those probes measured at build time, on
    /// `calibrationQueries` sampled articles (0 queries: not calibrated).
    public private(set) var calibratedRecall: Float
    public private(set) var calibrationQueries: Int
    /// The graph over the same articles (`NeighborGraph`), which answers the searches that admit
    /// most articles; nil in an index too small to need one (every search of it is exact).
    public private(set) var graph: NeighborGraph?

    public init(
        groupCentroids: DenseMatrix, groupOffsets: [Int32], listCentroids: DenseMatrix, listOffsets: [Int32],
        rows: [Int32], probes: Int, calibratedRecall: Float = 0, calibrationQueries: Int = 0,
        graph: NeighborGraph? = nil
    ) {
        self.graph = graph
        self.groupCentroids = groupCentroids
        self.groupOffsets = groupOffsets
        self.listCentroids = listCentroids
        self.listOffsets = listOffsets
        self.rows = rows
        self.probes = probes
        self.calibratedRecall = calibratedRecall
        self.calibrationQueries = calibrationQueries
    }

    public var groups: Int { groupCentroids.rows }
    public var lists: Int { listCentroids.rows }
    public var dimensions: Int { listCentroids.columns }

    /// The average list length the training aims for. On Debian's generated million articles 64
    /// gave the best recall for the rows scanned of 64, 244 and 1,000 (docs/performance.md, *The
    /// approximate index*); ranking the lists then reads one centroid per 64 rows, a sixty-fourth
    /// of the codes.
    public static let listSize = 64

    /// Recall@10 against exact search the build's calibration makes sure of: the 0.98 drafts are
    /// promised. A setting reaches it when its sample's one-sided 95 % lower bound does
    /// (`SampledRecall`), so the margin is the sample's noise, not a guess. The sampled articles are
    /// the harder queries besides: by id for the lists, held out of the walk for the graph, and on
    /// the generated million held-out walks measured 0.9812 where drafts measured 0.9885 at the
    /// calibrated beam, 244 (docs/performance.md, *The approximate index*).
    public static let calibrationTarget: Float = 0.98

    /// This index with other default probes and their measured recall.
    func calibrated(probes: Int, recall: Float, queries: Int) -> InvertedFileIndex {
        var index = self
        (index.probes, index.calibratedRecall, index.calibrationQueries) = (probes, recall, queries)
        return index
    }

    /// This index with `graph`.
    func with(graph: NeighborGraph?) -> InvertedFileIndex {
        var index = self
        index.graph = graph
        return index
    }

    /// Whether searches that admit most articles go through the graph: it exists and its
    /// calibration measured `calibrationTarget` within `NeighborGraph.widestBeam`.
    public var searchesGraph: Bool {
        guard let graph else { return false }
        return graph.calibrationQueries > 0 && graph.calibratedRecall >= Self.calibrationTarget
    }

    /// What is wrong with this index for a model of `articles` rows of `dimensions`, or nil: the
    /// shapes, that offsets rise from 0 to their end, that the rows are each article exactly once.
    public func problem(articles: Int, dimensions: Int) -> String? {
        guard groupCentroids.columns == dimensions, listCentroids.columns == dimensions else {
            return "centroids of \(listCentroids.columns) dimensions for a model of \(dimensions)"
        }
        guard groups >= 1, lists >= groups, groupOffsets.count == groups + 1, listOffsets.count == lists + 1 else {
            return "\(groups) groups and \(lists) lists with \(groupOffsets.count) and \(listOffsets.count) offsets"
        }
        func rises(_ offsets: [Int32], to end: Int) -> Bool {
            offsets.first == 0 && offsets.last == Int32(end)
                && zip(offsets, offsets.dropFirst()).allSatisfy { $0 <= $1 }
        }
        guard rises(groupOffsets, to: lists) else { return "group offsets do not rise from 0 to \(lists)" }
        guard rises(listOffsets, to: articles), rows.count == articles else {
            return "list offsets do not rise from 0 to \(articles) articles"
        }
        var seen = [Bool](repeating: false, count: articles)
        for row in rows {
            guard row >= 0, Int(row) < articles, !seen[Int(row)] else {
                return "row \(row) is out of range or listed twice"
            }
            seen[Int(row)] = true
        }
        guard (1...lists).contains(probes) else { return "\(probes) probes for \(lists) lists" }
        if let problem = CalibratedRecall.problem(recall: calibratedRecall, queries: calibrationQueries) {
            return problem
        }
        let finite = groupCentroids.storage.allSatisfy(\.isFinite) && listCentroids.storage.allSatisfy(\.isFinite)
        guard finite else { return "a centroid holds a value that is not finite" }
        return graph?.problem(articles: articles).map { "graph: \($0)" }
    }

    /// One line for `inspect` and the server's log.
    public var summary: String {
        let recall = CalibratedRecall.clause(recall: calibratedRecall, queries: calibrationQueries)
        func counted(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }
        let graph =
            self.graph.map { "; \($0.summary)\(searchesGraph ? "" : " (not searched: below the target)")" } ?? ""
        return "\(counted(lists, "list")) in \(counted(groups, "group")), \(probes) probed per query\(recall)\(graph)"
    }
}
