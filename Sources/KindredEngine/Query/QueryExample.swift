import KindredLinearAlgebra

/// One example of what a list should (or, as a negative, should not) be about: an indexed
/// article or a text, whose body is HTML or plain text as `bodyFormat` says (nil: told from the
/// body, `HTMLText.looksLikeHTML`).
public enum QueryExample: Sendable, Equatable {
    case article(String)
    case text(title: String, body: String, language: String?, bodyFormat: BodyFormat? = nil)
}

extension Model {
    /// Weight of the negative examples against the positive ones in `combining`.
    public static let unlikeWeight: Float = 0.5

    /// One query from several examples: Rocchio's relevance-feedback formula (Rocchio, "Relevance
    /// feedback in information retrieval", 1971), `q = mean(like) − γ·mean(unlike)`, applied to
    /// the LSA, TF-IDF and headline vectors alike and renormalised. γ = 0.5 is what Qdrant's
    /// recommend API uses in effect (`2·mean(like) − mean(unlike)` up to scale); a negative
    /// weighing as much as a positive would push results off-topic.
    ///
    /// - Returns: nil when the positive examples cancel out or there are none.
    public static func combining(like: [QueryVector], unlike: [QueryVector]) -> QueryVector? {
        guard let first = like.first else { return nil }
        if like.count == 1 && unlike.isEmpty { return first }
        let positive = 1 / Float(like.count)
        let negative = unlike.isEmpty ? 0 : -unlikeWeight / Float(unlike.count)
        var dense = [Float](repeating: 0, count: first.dense.count)
        for (vectors, weight) in [(like, positive), (unlike, negative)] {
            for vector in vectors {
                for j in dense.indices { dense[j] += weight * vector.dense[j] }
            }
        }
        guard Vector.normalize(&dense) else { return nil }
        func combined(_ part: (QueryVector) -> SparseVector) -> SparseVector {
            let terms = like.map { (part($0), positive) } + unlike.map { (part($0), negative) }
            return SparseVector.combination(terms.map { (vector: $0.0, coefficient: $0.1) }).normalized() ?? .empty
        }
        return QueryVector(dense: dense, sparse: combined(\.sparse), headline: combined(\.headline))
    }
}
