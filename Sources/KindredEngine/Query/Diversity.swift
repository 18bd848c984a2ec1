/// Keeping one story from filling a list: near-duplicate collapse and maximal marginal relevance.
enum Diversity {
    /// Walks `ranked` best first and drops every candidate at least `threshold` similar to one
    /// already kept, so five rewrites of one wire story leave the best-scoring one.
    ///
    /// - Complexity: O(n·m) similarity calls for n candidates and m kept.
    static func collapsingDuplicates<C>(
        _ ranked: [C], threshold: Float, limit: Int, similarity: (C, C) -> Float
    ) -> [C] {
        var kept: [C] = []
        kept.reserveCapacity(min(limit, ranked.count))
        for candidate in ranked where !kept.contains(where: { similarity($0, candidate) >= threshold }) {
            kept.append(candidate)
            if kept.count == limit { break }
        }
        return kept
    }

    /// Maximal marginal relevance (Carbonell & Goldstein, "The use of MMR, diversity-based
    /// reranking for reordering documents and producing summaries", SIGIR 1998): picks, one at a
    /// time, the candidate maximising `λ·score − (1 − λ)·max similarity to those already picked`.
    /// λ = 1 is the plain ranking. Relevance here is a blended score (mostly 0.1–0.5) while the
    /// redundancy is an LSA cosine (often 0.5–0.9), so λ acts strongly: 0.9 already diversifies.
    ///
    /// - Complexity: O(k·n) similarity calls.
    static func maximalMarginalRelevance<C>(
        _ ranked: [C], k: Int, lambda: Float, score: (C) -> Float, similarity: (C, C) -> Float
    ) -> [C] {
        guard lambda < 1 else { return Array(ranked.prefix(k)) }
        var remaining = ranked
        // The largest similarity of each remaining candidate to any picked one.
        var closest = [Float](repeating: -.infinity, count: ranked.count)
        var picked: [C] = []
        while picked.count < k, !remaining.isEmpty {
            var best = 0
            var bestValue = -Float.infinity
            for (i, candidate) in remaining.enumerated() {
                let redundancy = picked.isEmpty ? 0 : closest[i]
                let value = lambda * score(candidate) - (1 - lambda) * redundancy
                if value > bestValue {
                    bestValue = value
                    best = i
                }
            }
            let chosen = remaining.remove(at: best)
            closest.remove(at: best)
            picked.append(chosen)
            for (i, candidate) in remaining.enumerated() { closest[i] = max(closest[i], similarity(chosen, candidate)) }
        }
        return picked
    }
}
