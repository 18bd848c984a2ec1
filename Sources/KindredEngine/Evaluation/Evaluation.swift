import Foundation

/// Scores a model's rankings against judgements, the way `kindred eval` reports them.
public struct Evaluation: Sendable {
    /// The averaged metrics and how many queries they cover.
    public struct Report: Sendable, Codable {
        public var k: Int
        public var queries: Int
        /// Queries left out: their id is not in the model, or none of their answers is.
        public var skipped: Int
        public var metrics: RankingMetrics
        /// Median time of one query, in milliseconds.
        public var medianQueryMilliseconds: Double
    }

    public let k: Int

    public init(k: Int) { self.k = k }

    /// Ranks every judged article with `rank` and averages the metrics. Answers missing from the
    /// model and the query itself are removed from its relevant set first.
    public func run(
        judgements: [String: Set<String>], known: (String) -> Bool, rank: (String) throws -> [String]
    ) rethrows -> Report {
        var all: [RankingMetrics] = []
        var skipped = 0
        var times: [Double] = []
        let clock = ContinuousClock()
        for id in judgements.keys.sorted() {
            let relevant = judgements[id]!.filter { $0 != id && known($0) }
            guard known(id), !relevant.isEmpty else {
                skipped += 1
                continue
            }
            let start = clock.now
            let ranking = try rank(id)
            let elapsed = clock.now - start
            times.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
            if let metrics = RankingMetrics(ranking: ranking, relevant: relevant, k: k) { all.append(metrics) }
        }
        times.sort()
        return Report(
            k: k, queries: all.count, skipped: skipped, metrics: RankingMetrics.mean(all),
            medianQueryMilliseconds: times.isEmpty ? 0 : times[times.count / 2])
    }
}
