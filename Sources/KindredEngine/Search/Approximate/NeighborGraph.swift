import CKindredKernels
import KindredLinearAlgebra

/// A proximity graph over the article vectors: each article linked to up to `degree` near ones,
/// searched best-first from `entries` (`kindred_graph_search`). The approximate index's path for
/// queries that keep most articles (drafts, by-id fallbacks without a narrow filter): a search
/// scores a few thousand articles where the lists' scan scores over a hundred thousand at a
/// million articles for the same recall (docs/performance.md, *The approximate index*).
///
/// The graph is a pruned nearest-neighbour graph (Fu, Xiang, Wang & Cai 2019, "Fast approximate
/// nearest neighbor search with the navigating spreading-out graph", NSG; the pruning with a
/// factor α on distance from Subramanya et al. 2019, "DiskANN: fast accurate billion-point nearest
/// neighbor search on a single node", Vamana): built from each article's nearest neighbours, found
/// exactly by the related lists' search when the build runs it, else in the lists near its own
/// (`built`), so it costs a few seconds a hundred thousand articles beside the search or partition
/// it reuses, instead of an insertion search per article as an HNSW graph would.
/// There is one layer; a search starts from the best of `entries`, a fixed sample of articles.
public struct NeighborGraph: Sendable, Equatable {
    /// The instruction set the graph search runs on (`CKindredKernels/GraphSearch.c`).
    public static var kernel: String { ScaledCodeRows.kernel }

    /// Most neighbours an article has; `adjacency` holds `degree` entries per article.
    public let degree: Int
    /// Article `a`'s neighbours are `adjacency[a * degree..<(a + 1) * degree]`, −1 after the last.
    public let adjacency: [Int32]
    /// The articles every search starts from (scored first; the best are expanded).
    public let entries: [Int32]

    public init(
        degree: Int, adjacency: [Int32], entries: [Int32]
    ) {
        self.degree = degree
        self.adjacency = adjacency
        self.entries = entries
    }

    /// Neighbours an article keeps. 32 and 48 measured the same recall for the articles scored
    /// on the generated million (docs/performance.md); 32 is two thirds of the memory.
    public static let defaultDegree = 32

    /// Archives smaller than this get no graph unless asked (`ModelBuilder.graphFrom`): `auto`
    /// searches them exactly (below `SearchSettings.automaticThreshold`), and on Debian's 63,666
    /// articles the graph took 4 s of a 21 s reindex to reach recall 0.974, short of the target.
    public static let minimumArticles = 100_000

    /// Articles sampled as entry points.
    public static let entryCount = 256

    /// The widest beam the calibration tries; an index that needs more searches its lists.
    public static let widestBeam = 4_096

    /// Rows a search may score at most, for `beam`: a bound on one query's work on any graph,
    /// about eight times what a calibrated search scores.
    static func visitLimit(beam: Int) -> Int { max(8_192, beam * 128) }

    /// What is wrong with this graph for a model of `articles` rows, or nil: the shapes, that
    /// every neighbour and entry is an article, that padding only ends a list.
    public func problem(articles: Int) -> String? {
        guard (1...1_024).contains(degree), adjacency.count == articles * degree else {
            return "\(adjacency.count) neighbour entries of degree \(degree) for \(articles) articles"
        }
        guard !entries.isEmpty || articles == 0, entries.allSatisfy({ $0 >= 0 && Int($0) < articles }) else {
            return "an entry point is not an article"
        }
        for article in 0..<articles {
            var ended = false
            for slot in 0..<degree {
                let neighbour = adjacency[article * degree + slot]
                if neighbour == -1 {
                    ended = true
                } else if ended || neighbour < 0 || Int(neighbour) >= articles {
                    return "article \(article)'s neighbour \(slot) is \(neighbour)"
                }
            }
        }
        return nil
    }

    /// One line for `inspect` and the server's log.
    public var summary: String {
        let edges = adjacency.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) }
        let articles = adjacency.count / max(degree, 1)
        let mean = articles == 0 ? 0 : Double(edges) / Double(articles)
        return "graph of degree \(degree) (\(String(format: "%.1f", mean)) on average)"
    }

    /// The `beam` rows nearest a query by the walk's score (`rows`: the articles' codes in
    /// article order, `query` their query codes, `ScaledCodeRows.query`), best first; never
    /// `heldOut`, which the walk does not pass through either. It starts from `start` when given
    /// (rows near the query already), else from the graph's entries.
    func search(
        query: [Int8], rows: ScaledCodeRows, beam: Int, heldOut: Int? = nil, from start: [Int32]? = nil
    ) -> [ScoredIndex] {
        var found = [Int32](repeating: 0, count: beam)
        var scores = [Float](repeating: 0, count: beam)
        let count = query.withUnsafeBufferPointer { q in
            rows.codes.withUnsafeBufferPointer { c in
                adjacency.withUnsafeBufferPointer { a in
                    (start ?? entries).withUnsafeBufferPointer { e in
                        kindred_graph_search(
                            q.baseAddress, c.baseAddress, Int32(rows.bits), rows.kernelColumns, rows.bytesPerRow,
                            a.baseAddress, degree, e.baseAddress, e.count, Int32(heldOut ?? -1), beam,
                            Self.visitLimit(beam: beam), &found, &scores)
                    }
                }
            }
        }
        return (0..<count).map { ScoredIndex(index: Int(found[$0]), score: scores[$0]) }
    }
}
