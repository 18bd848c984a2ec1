import Foundation

/// How closely a model's approximate search agrees with its exact search: recall@k of the ranked
/// lists (LSA candidates re-ranked by the blend, before any ranking control) and the time each
/// search took. What `kindred recall` prints and the tests hold the index to.
public struct ApproximateRecall: Sendable {
    /// Σ |approximate top-k ∩ exact top-k| / Σ |exact top-k| over the queries (`SampledRecall.mean`).
    public var recall: Double
    /// What the recall of all such queries is at least, with 95 % confidence, by these queries'
    /// spread (`SampledRecall`: the bound the build's calibration holds its settings to).
    public var lowerBound: Double
    /// Queries whose approximate list held every exact result.
    public var complete: Int
    public var queries: Int
    /// Seconds per query of each search, in query order.
    public var approximateSeconds: [Double]
    public var exactSeconds: [Double]
}

extension Model {
    /// A query for `recall`: an article's stored vector (searched without itself) or a text's.
    public struct RecallQuery: Sendable {
        public var vector: QueryVector
        public var excludedRow: Int?
        /// Whether the graph's walk also keeps off `excludedRow`: the article searched as a draft
        /// of its own text would be, were the graph built without it (`EmbeddingIndex.search`).
        public var heldOut: Bool

        public init(vector: QueryVector, excludedRow: Int? = nil, heldOut: Bool = false) {
            self.vector = vector
            self.excludedRow = excludedRow
            self.heldOut = heldOut
        }
    }

    /// Runs every query both ways, `k` results each, one after the other on this thread, and
    /// compares the lists.
    ///
    /// - Parameters:
    ///   - probes: search through the lists, probing this many (nil: the model's way and setting).
    ///     A model loaded to search exactly answers both ways alike: recall 1.
    ///   - beam: the graph search's beam (nil: the model's setting).
    public func approximateRecall(
        of queries: [RecallQuery], k: Int, probes: Int? = nil, beam: Int? = nil
    ) throws -> ApproximateRecall {
        var found: [Int] = [], wanted: [Int] = [], complete = 0
        var approximateSeconds: [Double] = [], exactSeconds: [Double] = []
        let clock = ContinuousClock()
        for query in queries {
            let excluded = query.excludedRow
            var start = clock.now
            let approximate = try rank(
                query.vector, k: k, probes: probes, beam: beam, heldOut: query.heldOut ? excluded : nil
            ) { $0 == excluded }
            approximateSeconds.append((clock.now - start) / .seconds(1))
            start = clock.now
            let exact = try rank(query.vector, k: k, exact: true) { $0 == excluded }
            exactSeconds.append((clock.now - start) / .seconds(1))
            let truth = Set(exact.map(\.index))
            let hits = approximate.filter { truth.contains($0.index) }.count
            found.append(hits)
            wanted.append(truth.count)
            if hits == truth.count { complete += 1 }
        }
        // The calibration's own measure, so that the two agree on every edge (nothing wanted: 1).
        let sampled = SampledRecall(found: found, wanted: wanted)
        return ApproximateRecall(
            recall: Double(sampled.mean), lowerBound: Double(sampled.lowerBound), complete: complete,
            queries: queries.count, approximateSeconds: approximateSeconds, exactSeconds: exactSeconds)
    }
}
