import KindredLinearAlgebra

/// The semantic channel in an answer: the words' candidates and the encoder's own nearest,
/// scored `(1 − s)·words + s·meaning` (`RelatedQuery.semanticWeight`).
///
/// LSA stays the backbone — the candidates by words, the lists, the explanations — and the
/// sentence encoder adds what one archive can't teach LSA: an article that shares no word with
/// the subject can still enter through the encoder's nearest, searched with the same
/// `EmbeddingIndex` machinery on the 384-d vectors. An article without a semantic vector (a
/// language the encoder doesn't read, an upsert) keeps its score on words alone.
extension LiveIndex {
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

    /// `words` (best first, scored on words) fused with the semantic channel: each candidate that
    /// has a semantic vector rescored, the encoder's `max(poolSize, rerankDepth)` nearest admitted
    /// articles added with their word score, the best `poolSize` kept.
    func fusingMeaning(
        _ words: [ScoredIndex], vector: Model.QueryVector, meaning: [Float], filter: RowFilter, poolSize: Int,
        query: RelatedQuery
    ) throws -> [ScoredIndex] {
        guard let semantic = model.semantic, let search = semantic.index else { return words }
        let s = query.semanticWeight, n = model.articles.count
        var top = TopK(k: poolSize)
        var seen = Set<Int>()
        for candidate in words {
            seen.insert(candidate.index)
            let cosine = candidate.index < n ? semantic.cosine(meaning, row: candidate.index) : nil
            top.offer(
                index: candidate.index, score: cosine.map { (1 - s) * candidate.score + s * $0 } ?? candidate.score)
        }
        let depth = max(poolSize, model.parameters.rerankDepth)
        let nearest = try search.search(meaning, k: depth, exact: query.exact, amongRows: filter.rows) {
            !filter.admits($0)
        }
        for candidate in nearest where !seen.contains(candidate.index) && semantic.isCovered(candidate.index) {
            let row = candidate.index
            let words =
                model.index.isEmptyRow[row]
                ? 0 : model.blend(vector, lsa: model.lsaCosine(vector.dense, row: row), row: row)
            top.offer(index: row, score: (1 - s) * words + s * candidate.score)
        }
        return top.sorted()
    }
}
