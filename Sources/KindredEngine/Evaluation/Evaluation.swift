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
        /// What each candidate relevance floor would keep and drop, lowest floor first.
        public var floors: [FloorEffect]
    }

    /// The effect of a relevance floor on the results of all queries.
    public struct FloorEffect: Sendable, Codable, Equatable {
        public var floor: Float
        /// Share of the relevant results found at k that score at least `floor`.
        public var recallKept: Double
        /// Share of the results dropped by the floor that are relevant (nil: none dropped).
        public var precisionOfDropped: Double?
        /// Share of the results kept that are relevant.
        public var precisionOfKept: Double
        /// Mean results per query left.
        public var meanResults: Double
    }

    /// Floors reported, from none to strict.
    public static let reportedFloors: [Float] = [-1, 0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4]

    public let k: Int

    public init(k: Int) { self.k = k }

    /// Ranks every judged article with `rank` and averages the metrics. Answers missing from the
    /// model and the query itself are removed from its relevant set first.
    public func run(
        judgements: [String: Set<String>], known: (String) -> Bool,
        rank: (String) throws -> [(id: String, score: Float)]
    ) rethrows -> Report {
        var all: [RankingMetrics] = []
        var scored: [(score: Float, relevant: Bool)] = []
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
            if let metrics = RankingMetrics(ranking: ranking.map(\.id), relevant: relevant, k: k) {
                all.append(metrics)
            }
            scored += ranking.prefix(k).map { ($0.score, relevant.contains($0.id)) }
        }
        times.sort()
        return Report(
            k: k, queries: all.count, skipped: skipped, metrics: RankingMetrics.mean(all),
            medianQueryMilliseconds: times.isEmpty ? 0 : times[times.count / 2],
            floors: Self.reportedFloors.map { Self.effect(of: $0, on: scored, queries: all.count) })
    }

    static func effect(of floor: Float, on scored: [(score: Float, relevant: Bool)], queries: Int) -> FloorEffect {
        let kept = scored.filter { $0.score >= floor }, dropped = scored.filter { $0.score < floor }
        let relevantKept = kept.filter(\.relevant).count, relevantAll = scored.filter(\.relevant).count
        return FloorEffect(
            floor: floor, recallKept: relevantAll == 0 ? 1 : Double(relevantKept) / Double(relevantAll),
            precisionOfDropped: dropped.isEmpty
                ? nil : Double(dropped.filter(\.relevant).count) / Double(dropped.count),
            precisionOfKept: kept.isEmpty ? 0 : Double(relevantKept) / Double(kept.count),
            meanResults: Double(kept.count) / Double(max(queries, 1)))
    }
}
