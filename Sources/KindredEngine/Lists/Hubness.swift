/// How unevenly articles appear in each other's related lists, and a cap on it.
///
/// In high-dimensional spaces a few points lie close to very many others ("hubs") while many
/// appear in no list at all ("anti-hubs"): Radovanović, Nanopoulos & Ivanović, "Hubs in space:
/// popular nearest neighbors in high-dimensional data" (JMLR 2010). On a news site that is the
/// same explainer linked under every story. The measure is the k-occurrence `N_k(x)`: in how
/// many top-k lists `x` appears. Its mean is k; its skewness says how strong hubness is.
public struct HubnessStatistics: Codable, Equatable, Sendable {
    /// The list depth counted (the default k of a request).
    public var depth: Int
    /// The largest k-occurrence.
    public var maximum: Int
    /// Skewness of the k-occurrence distribution: 0 for a symmetric one; hubness shows as a
    /// long right tail (Radovanović et al. report 1–10 for text collections).
    public var skewness: Double
    /// Share of articles that appear in no list.
    public var neverListed: Double
    /// The articles appearing most often, most first.
    public var topHubs: [Hub]

    public struct Hub: Codable, Equatable, Sendable {
        public var id: String
        public var occurrences: Int
    }

    /// Measures `lists` at `depth`; `ids` names the rows.
    public init(lists: NeighborLists, depth: Int, ids: [String], hubsShown: Int = 5) {
        let counts = Self.occurrences(lists, depth: depth, rows: ids.count)
        let n = Double(max(counts.count, 1))
        let mean = Double(counts.reduce(0, +)) / n
        var second = 0.0, third = 0.0
        for count in counts {
            let deviation = Double(count) - mean
            second += deviation * deviation
            third += deviation * deviation * deviation
        }
        second /= n
        third /= n
        self.depth = depth
        self.maximum = counts.max() ?? 0
        self.skewness = second > 0 ? third / (second * second.squareRoot()) : 0
        self.neverListed = Double(counts.filter { $0 == 0 }.count) / n
        self.topHubs = counts.indices.sorted { (counts[$0], $1) > (counts[$1], $0) }.prefix(hubsShown)
            .filter { counts[$0] > 0 }.map { Hub(id: ids[$0], occurrences: counts[$0]) }
    }

    /// `N_depth` of every row.
    static func occurrences(_ lists: NeighborLists, depth: Int, rows: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: rows)
        guard lists.width > 0 else { return counts }
        let depth = min(depth, lists.width)
        for row in 0..<rows {
            for slot in (row * lists.width)..<(row * lists.width + depth) where lists.indices[slot] >= 0 {
                counts[Int(lists.indices[slot])] += 1
            }
        }
        return counts
    }
}

/// What the build measured and did about hubness; stored in the manifest, shown by `inspect`.
public struct HubnessReport: Codable, Equatable, Sendable {
    /// The list depth hubness is measured and capped at: the default `k` of a request.
    public static let depth = 10

    /// Before the cap.
    public var measured: HubnessStatistics
    /// The cap applied (appearances within the first `depth` places), nil when none.
    public var cap: Int?
    /// Articles that were over the cap and were removed from some lists.
    public var cappedArticles: Int
    /// After the cap, when one was applied.
    public var afterCap: HubnessStatistics?
}

extension NeighborLists {
    /// The lists with no article in the first `depth` places of more than `cap` lists.
    ///
    /// An article over the cap keeps the `cap` lists where it scored highest and leaves every
    /// other list entirely; the entries below it move up. That can push another article over the
    /// cap, so the pass repeats until none is (or ten rounds pass).
    ///
    /// - Returns: the capped lists and the rows of the articles that were capped.
    /// - Complexity: O(rounds · n · width).
    public func cappingHubs(at cap: Int, depth: Int, rows: Int) -> (lists: NeighborLists, capped: Set<Int32>) {
        precondition(cap >= 1 && depth >= 1, "cap and depth must be positive")
        guard width > 0 else { return (self, []) }
        let depth = min(depth, width)
        var indices = self.indices, scores = self.scores
        var cappedArticles = Set<Int32>()
        for _ in 0..<10 {
            let counts = HubnessStatistics.occurrences(
                NeighborLists(width: width, indices: indices, scores: scores), depth: depth, rows: rows)
            let over = Set(counts.indices.filter { counts[$0] > cap }.map(Int32.init))
            guard !over.isEmpty else { break }
            cappedArticles.formUnion(over)
            // Every top-`depth` appearance of an over-cap article, to keep its best `cap`.
            var appearances: [Int32: [(row: Int, score: Float)]] = [:]
            for row in 0..<rows {
                for slot in (row * width)..<(row * width + depth) where over.contains(indices[slot]) {
                    appearances[indices[slot], default: []].append((row, scores[slot]))
                }
            }
            var keptRows: [Int32: Set<Int>] = [:]
            for (article, seen) in appearances {
                keptRows[article] = Set(seen.sorted { ($0.score, $1.row) > ($1.score, $0.row) }.prefix(cap).map(\.row))
            }
            for row in 0..<rows {
                let base = row * width
                var write = base
                for slot in base..<(base + width) {
                    let article = indices[slot]
                    if article >= 0, over.contains(article), keptRows[article]?.contains(row) != true { continue }
                    indices[write] = article
                    scores[write] = scores[slot]
                    write += 1
                }
                for slot in write..<(base + width) {
                    indices[slot] = -1
                    scores[slot] = 0
                }
            }
        }
        return (NeighborLists(width: width, indices: indices, scores: scores), cappedArticles)
    }
}
