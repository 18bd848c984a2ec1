/// The index terms of a model, in a fixed order (sorted by their UTF-8 bytes), with their
/// document frequencies.
public struct Vocabulary: Sendable, Equatable {
    public let terms: [String]
    /// Number of articles containing each term, before any query-time change.
    public let documentFrequencies: [Int32]
    private let index: [String: Int32]

    /// - Throws: `EngineError` when terms repeat or the arrays differ in length.
    public init(terms: [String], documentFrequencies: [Int32]) throws {
        guard terms.count == documentFrequencies.count else {
            throw EngineError(
                .numerical, "vocabulary has \(terms.count) terms but \(documentFrequencies.count) frequencies")
        }
        var index: [String: Int32] = [:]
        index.reserveCapacity(terms.count)
        for (i, term) in terms.enumerated() {
            guard index.updateValue(Int32(i), forKey: term) == nil else {
                throw EngineError(.numerical, "vocabulary repeats the term '\(term)'")
            }
        }
        self.terms = terms
        self.documentFrequencies = documentFrequencies
        self.index = index
    }

    public var count: Int { terms.count }

    /// The column of `term`, or nil when it is not indexed.
    public func id(of term: String) -> Int32? { index[term] }

    public static func == (lhs: Vocabulary, rhs: Vocabulary) -> Bool {
        lhs.terms == rhs.terms && lhs.documentFrequencies == rhs.documentFrequencies
    }
}
