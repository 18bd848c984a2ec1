import KindredLinearAlgebra

/// How a build found its related lists' candidates by neighbour descent (`NeighborDescent`)
/// instead of scoring every pair, and how far the lists agree with those exact search gives.
///
/// Scoring every pair costs O(n²): at a million articles it is most of a nightly reindex, and on a
/// CPU without int8 dot-product instructions more than the whole budget. Descent costs O(n) and
/// is measured where it is used: the sampled recall of each article's nearest, and the lists'
/// recall@10 against lists computed from an exact search, on `sampled` articles
/// (docs/performance.md, *1M articles*).
public struct ListsDescent: Codable, Sendable, Equatable {
    /// Articles from which a build finds its lists by descent unless told (`ModelBuilder.listsFrom`).
    public static let defaultFrom = 300_000
    /// Articles whose lists are compared with exact ones.
    static let sampled = 256
    /// The places of a list compared: a by-id request's default answer.
    static let comparedPlaces = 10

    /// Rounds of descent run after the start from the lists (0: the start was sure enough).
    public var rounds: Int
    /// Graph walks run after the rounds (`EmbeddingIndex.descendingNeighbors`).
    public var walks: Int
    /// The share of sampled articles' exact nearest (by int8 code) the descent found.
    public var nearestRecall: Float
    /// The share of the first `comparedPlaces` of sampled articles' exact lists that their lists
    /// hold.
    public var listsRecall: Float

    /// One line for the build's notices and `kindred inspect`.
    public var summary: String {
        "related lists: candidates found by neighbour descent (\(rounds) round(s), \(walks) walk(s)), recall of the nearest \(Self.format(nearestRecall)); recall@\(Self.comparedPlaces) of the lists against exact ones \(Self.format(listsRecall)), on \(Self.sampled) sampled articles"
    }

    private static func format(_ recall: Float) -> String {
        String(Double((recall * 10_000).rounded()) / 10_000)
    }

    /// The share of the first `comparedPlaces` entries of `sampled` articles' lists, computed
    /// exactly (`Model.rank` with `exact`, then `listEntries`, as a refill does), that `lists`
    /// hold in their first `comparedPlaces`.
    static func agreement(of lists: NeighborLists, with model: Model, seed: UInt64) throws -> Float {
        var generator = SeededGenerator(seed: seed ^ 0x11_57)
        let usable = (0..<model.articles.count).filter { !model.index.isEmptyRow[$0] }
        let rows = generator.distinct(min(sampled, usable.count), below: usable.count).map { usable[$0] }
        let width = lists.width
        let counts = try Parallel.map(rows.count) { i -> (found: Int, wanted: Int) in
            let row = rows[i]
            guard let query = model.queryVector(row: row) else { return (0, 0) }
            let skipped = { (other: Int) in other == row }
            let depth = model.listsSemanticWeight > 0 ? max(width, model.parameters.rerankDepth) : width
            let words = try model.rank(query, k: depth, exact: true, excluding: skipped)
            let exact = model.listEntries(row: row, words: words, query: query, k: width, excluding: skipped)
            let wanted = Set(exact.prefix(comparedPlaces).map(\.index))
            let held = lists.list(of: row).prefix(comparedPlaces).map(\.index)
            return (held.count(where: wanted.contains), wanted.count)
        }
        return SampledRecall(found: counts.map(\.found), wanted: counts.map(\.wanted)).mean
    }
}
