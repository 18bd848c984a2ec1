/// The index terms of a model, in a fixed order (sorted by their UTF-8 bytes), with their
/// document frequencies.
public struct Vocabulary: Sendable, Equatable {
    public let terms: [String]
    /// Number of articles containing each term, before any query-time change.
    public let documentFrequencies: [Int32]
    /// What to show readers for each term: its most frequent surface form ("smartphones" for
    /// "smartphon", "red dot" for "red dot"), or "" where that is the term itself.
    public let surfaceForms: [String]
    private let index: [String: Int32]

    /// - Throws: `EngineError` when terms repeat or the arrays differ in length.
    public init(terms: [String], documentFrequencies: [Int32], surfaceForms: [String] = []) throws {
        guard surfaceForms.isEmpty || surfaceForms.count == terms.count else {
            throw EngineError(.numerical, "vocabulary has \(terms.count) terms but \(surfaceForms.count) surface forms")
        }
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
        self.surfaceForms = surfaceForms
        self.index = index
    }

    /// The word a reader recognises for term `i`.
    public func surfaceForm(_ i: Int) -> String {
        guard i < surfaceForms.count, !surfaceForms[i].isEmpty else { return terms[i] }
        return surfaceForms[i]
    }

    /// For each of `terms`, its form in `seen` (the most frequent token text it came from), ""
    /// when that is the term itself or none was seen; a phrase takes each word's.
    static func surfaceForms(of terms: [String], seen: [String: String]) -> [String] {
        terms.map { term in
            let form =
                seen[term] ?? term.split(separator: " ").map { seen[String($0)] ?? String($0) }.joined(separator: " ")
            return form == term ? "" : form
        }
    }

    public var count: Int { terms.count }

    /// The column of `term`, or nil when it is not indexed.
    public func id(of term: String) -> Int32? { index[term] }

    public static func == (lhs: Vocabulary, rhs: Vocabulary) -> Bool {
        lhs.terms == rhs.terms && lhs.documentFrequencies == rhs.documentFrequencies
            && lhs.surfaceForms == rhs.surfaceForms
    }
}
