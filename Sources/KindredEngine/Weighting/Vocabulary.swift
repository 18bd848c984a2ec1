/// The index terms of a model, in a fixed order (sorted by their UTF-8 bytes), with their
/// document frequencies.
public struct Vocabulary: Sendable, Equatable {
    public let terms: [String]
    /// Number of articles containing each term, before any query-time change.
    public let documentFrequencies: [Int32]
    /// What to show readers for each word: its most frequent surface form ("smartphones" for
    /// "smartphon"), or "" where that is the word itself. Phrases have "" and are shown word by
    /// word (`surfaceForm(_:)`).
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

    /// The words a reader recognises for term `i`: a phrase takes each word's form (a word not
    /// indexed on its own keeps its stem).
    public func surfaceForm(_ i: Int) -> String {
        guard i < surfaceForms.count else { return terms[i] }
        if !surfaceForms[i].isEmpty { return surfaceForms[i] }
        guard terms[i].contains(" ") else { return terms[i] }
        return terms[i].split(separator: " ").map { word in
            guard let id = index[String(word)], !surfaceForms[Int(id)].isEmpty else { return String(word) }
            return surfaceForms[Int(id)]
        }.joined(separator: " ")
    }

    public var count: Int { terms.count }

    /// The column of `term`, or nil when it is not indexed.
    public func id(of term: String) -> Int32? { index[term] }

    public static func == (lhs: Vocabulary, rhs: Vocabulary) -> Bool {
        lhs.terms == rhs.terms && lhs.documentFrequencies == rhs.documentFrequencies
            && lhs.surfaceForms == rhs.surfaceForms
    }
}
