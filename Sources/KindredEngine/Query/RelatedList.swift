/// The answer to a related query: at most `requested` articles, best first, pinned ones first of all.
public struct RelatedList: Sendable, Equatable {
    public var results: [RelatedArticle]
    /// The `k` asked for.
    public var requested: Int
    /// Candidates that would have been in the list but scored below the relevance floor.
    public var belowFloor: Int
    /// Whether the candidates came from a search of the whole index rather than a precomputed
    /// list: always for a draft; for an article, when its `k` or filters go beyond its list.
    public var searched: Bool

    public init(results: [RelatedArticle], requested: Int, belowFloor: Int = 0, searched: Bool = false) {
        self.results = results
        self.requested = requested
        self.belowFloor = belowFloor
        self.searched = searched
    }

    /// Whether the list holds `requested` articles; false when not enough were related enough.
    public var isComplete: Bool { results.count >= requested }
}
