import KindredLinearAlgebra

/// The semantic channel in an answer: the words' candidates and the encoder's own nearest,
/// scored `(1 − s)·words + s·meaning` (`RelatedQuery.semanticWeight`).
///
/// LSA stays the backbone — the candidates by words, the lists, the explanations — and the
/// sentence encoder adds what one archive can't teach LSA: an article that shares no word with
/// the subject can still enter through the encoder's nearest, searched with the same
/// `EmbeddingIndex` machinery on the 384-d vectors. An upsert carries the meaning its write was
/// embedded with (`ArticleMeaning`). An article without a semantic vector (a language the encoder
/// doesn't read, a write taken without the encoder) keeps its score on words alone.
extension LiveIndex {
    /// The cosine of `meaning` and the article in `slot` (a model row or an upsert); nil when the
    /// article has no semantic vector.
    func meaningCosine(_ meaning: [Float], slot: Int) -> Float? {
        let n = model.articles.count
        guard slot >= n else { return model.semantic?.cosine(meaning, row: slot) }
        return upserts[slot - n].meaning.map { Vector.dot(meaning, $0) }
    }

    /// The query vector of several examples' meanings: their mean, less `Model.unlikeWeight`
    /// times the negatives' mean, unit length; nil when a positive example has none.
    static func combinedMeaning(like: [[Float]?], count: Int, unlike: [[Float]]) -> [Float]? {
        let positives = like.compactMap { $0 }
        guard let first = positives.first, positives.count == count else { return nil }
        if positives.count == 1 && unlike.isEmpty { return first }
        var sum = [Float](repeating: 0, count: first.count)
        for vector in positives { for j in sum.indices { sum[j] += vector[j] / Float(positives.count) } }
        for vector in unlike {
            for j in sum.indices { sum[j] -= Model.unlikeWeight * vector[j] / Float(unlike.count) }
        }
        return Vector.normalize(&sum) ? sum : nil
    }

    /// `words` (model rows, best first, scored on words) fused with the semantic channel (`Model.fusing`): the
    /// encoder's `max(poolSize, rerankDepth)` nearest admitted articles join them, the best
    /// `poolSize` are kept.
    func fusingMeaning(
        _ words: [ScoredIndex], vector: Model.QueryVector, meaning: [Float], filter: RowFilter, poolSize: Int,
        query: RelatedQuery
    ) throws -> [ScoredIndex] {
        guard let search = model.semantic?.index else { return words }
        let depth = max(poolSize, model.parameters.rerankDepth)
        let nearest = try search.search(meaning, k: depth, exact: query.exact, amongRows: filter.rows) {
            !filter.admits($0)
        }
        return model.fusing(
            words, nearest: nearest, meaning: meaning, query: vector, weight: query.semanticWeight, k: poolSize)
    }
}
