/// Links editors pinned to, or blocked from, an article's related list.
///
/// Applied on every request for that article: pinned articles come first, in the editor's order
/// and marked as pinned; blocked ones never appear. They live beside the model versions
/// (`OverridesFile`), not in a model, so a nightly reindex keeps them.
public struct EditorialOverrides: Sendable, Equatable {
    public struct Entry: Sendable, Equatable, Codable {
        public var pinned: [String]
        public var blocked: [String]

        public init(pinned: [String] = [], blocked: [String] = []) {
            self.pinned = pinned
            self.blocked = blocked
        }

        public var isEmpty: Bool { pinned.isEmpty && blocked.isEmpty }
    }

    /// At most this many pins per article: more than a list shows is a curated list, not a pin.
    public static let maximumPins = 20
    /// At most this many blocks per article.
    public static let maximumBlocks = 1000

    public private(set) var entries: [String: Entry]

    public init(entries: [String: Entry] = [:]) { self.entries = entries }

    public static let none = EditorialOverrides()

    /// The overrides of an article, or nil.
    public func entry(for id: String) -> Entry? { entries[id] }

    /// Replaces the overrides of `id` (removes them when `entry` is nil or empty).
    public mutating func set(_ entry: Entry?, for id: String) {
        entries[id] = entry?.isEmpty == false ? entry : nil
    }

    /// Checks an entry for article `id`.
    ///
    /// - Throws: `EngineError.invalidParameter` for an empty or self-referencing id, a repeat, an id
    ///   both pinned and blocked, or too many of either.
    public static func validate(_ entry: Entry, for id: String) throws {
        let lists: [(EngineParameter, [String], Int)] = [
            (.pinned, entry.pinned, maximumPins), (.blocked, entry.blocked, maximumBlocks),
        ]
        for (name, list, limit) in lists {
            guard list.count <= limit else {
                throw EngineError.invalid(name, "\(list.count) ids", allowed: "at most \(limit) ids per article")
            }
            if list.contains(where: \.isEmpty) { throw EngineError.invalidParameter("\(name) holds an empty id") }
            if list.contains(id) { throw EngineError.invalidParameter("'\(id)' can't be \(name) in its own list") }
            if Set(list).count != list.count { throw EngineError.invalidParameter("\(name) repeats an id") }
        }
        if let both = entry.pinned.first(where: Set(entry.blocked).contains) {
            throw EngineError.invalidParameter("'\(both)' is both pinned and blocked")
        }
    }
}
