import KindredLinearAlgebra

/// The candidates of one answer and what the shaping stages look up about them, each computed
/// once per request: slots' query vectors (for relevance, diversity and explanations), their
/// TF-IDF rows (for the near-duplicate collapse), freshness factors and the terms of LSA
/// dimensions (for explanations).
///
/// Slots are model rows `0..<n`, then upserted articles (`LiveIndex.slotMetadata`).
struct CandidatePool {
    let index: LiveIndex
    let subject: LiveIndex.Subject
    /// The candidates still in the list, best first.
    var ranked: [ScoredIndex] = []
    /// Candidates the relevance floor dropped from the places asked for.
    var belowFloor = 0
    /// Whether the candidates came from a search rather than a precomputed list.
    var searched = false
    /// Freshness multipliers applied, by slot.
    var freshnessFactors: [Int: Float] = [:]

    private var vectors: [Int: Model.QueryVector?] = [:]
    private var termRows: [Int: SparseVector] = [:]
    private var dimensionTerms: [Int: [String]] = [:]

    init(index: LiveIndex, subject: LiveIndex.Subject) {
        self.index = index
        self.subject = subject
    }

    var model: Model { index.model }

    /// A slot's query vector (nil for an article without indexed terms).
    mutating func vector(_ slot: Int) -> Model.QueryVector? {
        if let known = vectors[slot] { return known }
        let found = index.slotVector(slot)
        vectors[slot] = found
        return found
    }

    /// A slot's TF-IDF row.
    mutating func terms(_ slot: Int) -> SparseVector {
        if let known = termRows[slot] { return known }
        let n = model.articles.count
        let found = slot < n ? model.tfidfRows.row(slot) : index.upserts[slot - n].vector?.sparse ?? .empty
        termRows[slot] = found
        return found
    }

    /// The blended relevance of a slot to the subject (what pinned and fallback results show).
    mutating func relevance(_ slot: Int) -> Float {
        guard let query = subject.vector, let other = vector(slot) else { return 0 }
        return model.blend(
            query, lsa: Vector.dot(query.dense, other.dense), sparse: other.sparse, headline: other.headline)
    }

    /// The words that carry LSA dimension `j` for the subject.
    mutating func topTerms(ofDimension j: Int, for query: Model.QueryVector) -> [String] {
        if let known = dimensionTerms[j] { return known }
        let terms = model.topTerms(ofDimension: j, for: query)
        dimensionTerms[j] = terms
        return terms
    }
}
