import KindredLinearAlgebra

/// The semantic channel fused into a ranking: `(1 − s)·words + s·meaning` over the words'
/// candidates and the encoder's own nearest (`RelatedQuery.semanticWeight`). One function for the
/// precomputed lists (`rankAll`, the hub cap's refill) and for answers (`LiveIndex.fusingMeaning`),
/// so that a by-id answer read from a list is the one a search would give.
extension Model {
    /// The semantic weight the precomputed lists were fused at; 0 for lists on words alone.
    public var listsSemanticWeight: Float { manifest.listsSemanticWeight ?? 0 }

    /// The best `k` of `words` (model rows, each scored on words, best first; a live index fuses
    /// its upserts as it merges them) and `nearest` (the encoder's nearest to `meaning`, scored
    /// by cosine), each scored `(1 − s)·words + s·cosine`. A candidate without a semantic vector
    /// keeps its words' score; one of `nearest` that `words` lacks gets its blend computed here.
    func fusing(
        _ words: [ScoredIndex], nearest: [ScoredIndex], meaning: [Float], query: QueryVector, weight s: Float, k: Int
    ) -> [ScoredIndex] {
        guard let semantic else { return Array(words.prefix(k)) }
        let n = articles.count
        var top = TopK(k: k)
        var seen = Set<Int>()
        for candidate in words {
            seen.insert(candidate.index)
            let cosine = candidate.index < n ? semantic.cosine(meaning, row: candidate.index) : nil
            top.offer(
                index: candidate.index, score: cosine.map { (1 - s) * candidate.score + s * $0 } ?? candidate.score)
        }
        for candidate in nearest where !seen.contains(candidate.index) && semantic.isCovered(candidate.index) {
            let row = candidate.index
            let words = index.isEmptyRow[row] ? 0 : blend(query, lsa: lsaCosine(query.dense, row: row), row: row)
            top.offer(index: row, score: (1 - s) * words + s * candidate.score)
        }
        return top.sorted()
    }

    /// Row `row`'s list entries: its `words` (re-ranked, best first, at least `k` deep and
    /// `rerankDepth` when fusing) fused with its meaning at the lists' weight, skipping
    /// `excluding`; the first `k` words when the lists are on words or the row has no meaning.
    ///
    /// - Parameters:
    ///   - nearest: the row's nearest by meaning when they were found for every row at once
    ///     (`semanticNeighbors`); else the encoder's `max(k, rerankDepth)` nearest are searched
    ///     exactly here, and a search that fails (the int8 product's engine) leaves the list on words.
    ///   - blending: scores candidates on words, as `rerank` does (a build's scattered re-ranking,
    ///     a third of the time of scoring them one by one here).
    func listEntries(
        row: Int, words: [ScoredIndex], query: QueryVector, k: Int, nearest: [ScoredIndex]? = nil,
        blending: (([ScoredIndex]) -> [ScoredIndex])? = nil, excluding: (Int) -> Bool
    ) -> [ScoredIndex] {
        let s = listsSemanticWeight
        guard s > 0, let semantic, let search = semantic.index, semantic.isCovered(row) else {
            return Array(words.prefix(k))
        }
        let meaning = semantic.vectors.row(row)
        let depth = max(k, parameters.rerankDepth)
        let found =
            nearest?.filter { !excluding($0.index) }
            ?? (try? search.search(meaning, k: depth) { $0 == row || excluding($0) }) ?? []
        guard let blending else {
            return fusing(words, nearest: found, meaning: meaning, query: query, weight: s, k: k)
        }
        // The nearest that the words lack, scored on words in one pass: `fusing` then finds them all.
        let listed = Set(words.map(\.index))
        let missing = found.lazy.map(\.index).filter { !listed.contains($0) && !self.index.isEmptyRow[$0] }
        let scored = blending(missing.map { ScoredIndex(index: $0, score: lsaCosine(query.dense, row: $0)) })
        return fusing(words + scored, nearest: found, meaning: meaning, query: query, weight: s, k: k)
    }

    /// Every article's `k` nearest others by meaning (`n × k`, best first, −1 padded), for fused
    /// lists: the semantic vectors' all-pairs search (`EmbeddingIndex.allNeighbors`), each pair
    /// scored once in int8 and the best rescored in `Float`, instead of one search per article,
    /// each of which would read every vector. Nil when the lists are on words alone.
    func semanticNeighbors(k: Int) throws -> NeighborLists? {
        guard listsSemanticWeight > 0, let search = semantic?.index, k > 0 else { return nil }
        let n = articles.count
        var indices = [Int32](repeating: -1, count: n * k)
        var scores = [Float](repeating: 0, count: n * k)
        try search.allNeighbors(k: k) { row, found in
            for (slot, entry) in found.enumerated() {
                indices[row * k + slot] = Int32(entry.index)
                scores[row * k + slot] = entry.score
            }
        }
        return NeighborLists(width: k, indices: indices, scores: scores)
    }
}
