import Foundation

/// Retrieval metrics of one ranked list against a set of relevant ids (binary relevance), at a
/// cut-off `k`.
///
/// - precision@k = |relevant ∩ top k| / k (a list shorter than k still divides by k)
/// - recall@k = |relevant ∩ top k| / |relevant|
/// - nDCG@k = DCG / ideal DCG, DCG = Σᵢ relᵢ / log₂(i + 1) over ranks i = 1…k, the ideal ranking
///   putting min(|relevant|, k) relevant items first (Järvelin & Kekäläinen 2002)
/// - MRR@k = 1 / rank of the first relevant result within k, 0 when none
///
/// A ranking is taken as given (ties in score were already broken by the engine); an id repeated
/// in it counts once, at its first rank.
public struct RankingMetrics: Sendable, Equatable, Codable {
    public var precision: Double
    public var recall: Double
    public var ndcg: Double
    public var reciprocalRank: Double

    public init(precision: Double, recall: Double, ndcg: Double, reciprocalRank: Double) {
        self.precision = precision
        self.recall = recall
        self.ndcg = ndcg
        self.reciprocalRank = reciprocalRank
    }

    /// The metrics of `ranking` against `relevant` at `k`; nil when `relevant` is empty (the query
    /// has no answer to find and is left out of averages).
    public init?(ranking: [String], relevant: Set<String>, k: Int) {
        precondition(k >= 1, "k must be at least 1, got \(k)")
        guard !relevant.isEmpty else { return nil }
        var seen = Set<String>()
        let top = ranking.filter { seen.insert($0).inserted }.prefix(k)
        var hits = 0, dcg = 0.0
        var firstHit: Int?
        for (offset, id) in top.enumerated() where relevant.contains(id) {
            hits += 1
            dcg += 1 / log2(Double(offset + 2))
            if firstHit == nil { firstHit = offset + 1 }
        }
        let ideal = (0..<min(relevant.count, k)).reduce(0.0) { $0 + 1 / log2(Double($1 + 2)) }
        precision = Double(hits) / Double(k)
        recall = Double(hits) / Double(relevant.count)
        ndcg = dcg / ideal
        reciprocalRank = firstHit.map { 1 / Double($0) } ?? 0
    }

    /// The macro average (each query weighs the same).
    public static func mean(_ all: [RankingMetrics]) -> RankingMetrics {
        guard !all.isEmpty else { return RankingMetrics(precision: 0, recall: 0, ndcg: 0, reciprocalRank: 0) }
        let n = Double(all.count)
        return RankingMetrics(
            precision: all.map(\.precision).reduce(0, +) / n, recall: all.map(\.recall).reduce(0, +) / n,
            ndcg: all.map(\.ndcg).reduce(0, +) / n, reciprocalRank: all.map(\.reciprocalRank).reduce(0, +) / n)
    }
}
