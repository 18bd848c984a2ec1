/// Every article's best related articles, computed once at reindex time.
///
/// A publishing system asks for an article's related list far more often than the archive
/// changes, and an exact query reads every article's vector or codes. The nightly build
/// therefore ranks every article against all others with blocked
/// matrix products (`Model.neighbors`) and keeps the best `width` of each; a by-id request then
/// reads one list. Requests whose filters leave fewer than `k` admitted entries in the list, or
/// that ask for more than `width`, fall back to the exact search.
public struct NeighborLists: Sendable, Equatable {
    /// Entries kept per article; 0 when lists were not computed.
    public let width: Int
    /// `(articles × width)` row-major article rows, best first; −1 pads a short list.
    public let indices: [Int32]
    /// The scores beside `indices`.
    public let scores: [Float]

    public static let none = NeighborLists(width: 0, indices: [], scores: [])

    public init(width: Int, indices: [Int32], scores: [Float]) {
        precondition(width >= 0 && indices.count == scores.count, "inconsistent neighbour lists")
        self.width = width
        self.indices = indices
        self.scores = scores
    }

    /// The list of `row`, best first, without padding.
    public func list(of row: Int) -> [ScoredIndex] {
        guard width > 0 else { return [] }
        var result: [ScoredIndex] = []
        result.reserveCapacity(width)
        for slot in (row * width)..<((row + 1) * width) where indices[slot] >= 0 {
            result.append(ScoredIndex(index: Int(indices[slot]), score: scores[slot]))
        }
        return result
    }

    /// The lists with every row's entries set to `rows(row)`'s first `width` (padded with −1).
    func rebuilt(width: Int, rows: Int, _ entries: (Int) -> [ScoredIndex]) -> NeighborLists {
        var indices = [Int32](repeating: -1, count: rows * width), scores = [Float](repeating: 0, count: rows * width)
        for row in 0..<rows {
            for (slot, entry) in entries(row).prefix(width).enumerated() {
                indices[row * width + slot] = Int32(entry.index)
                scores[row * width + slot] = entry.score
            }
        }
        return NeighborLists(width: width, indices: indices, scores: scores)
    }

    /// How many entries the list of `row` holds, padding not counted: `list(of:).count` without
    /// building the list.
    func count(of row: Int) -> Int {
        guard width > 0 else { return 0 }
        return indices[(row * width)..<((row + 1) * width)].reduce(0) { $0 + ($1 >= 0 ? 1 : 0) }
    }

    /// Checks shape and contents against a model of `articles` rows.
    func check(articles: Int) throws {
        guard indices.count == articles * width else {
            throw ModelInvariantError("neighbour lists hold \(indices.count) entries, \(articles) × \(width) expected")
        }
        for row in 0..<articles where width > 0 {
            for slot in (row * width)..<((row + 1) * width) {
                let index = Int(indices[slot])
                guard index >= -1, index < articles, index != row, scores[slot].isFinite else {
                    throw ModelInvariantError(
                        "neighbour list of row \(row) holds row \(index) with score \(scores[slot])")
                }
            }
        }
    }
}
