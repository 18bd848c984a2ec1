/// A model whose parts disagree: built wrongly, or loaded from a damaged file that passed its
/// checksums (which would be a bug).
public struct ModelInvariantError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

extension Model {
    /// Tolerance on the length of a stored article vector.
    static let unitNormTolerance: Float = 1e-3

    /// Checks shapes, finiteness, unit norms and the manifest's counts; without `includingData`,
    /// only the shapes, the lists and the counts (for a model whose matrices were checked before).
    ///
    /// - Complexity: O(articles·dimensions + terms·dimensions) with the data, O(articles·width)
    ///   without.
    public func checkInvariants(includingData: Bool = true) throws {
        let d = termVectors.columns
        guard index.dimensions == d, singularValues.count == d else {
            throw ModelInvariantError(
                "dimensions disagree: term vectors \(d), article vectors \(index.dimensions), singular values \(singularValues.count)"
            )
        }
        guard termVectors.rows == (termVectorsPending ? 0 : weighting.vocabulary.count),
            weighting.globalWeights.count == weighting.vocabulary.count
        else {
            throw ModelInvariantError(
                "term counts disagree: vocabulary \(weighting.vocabulary.count), term vectors \(termVectors.rows), idf \(weighting.globalWeights.count)"
            )
        }
        for (name, rows) in [("TF-IDF", tfidfRows), ("headline", headlineRows)] {
            guard rows.rows == articles.count, rows.columns == weighting.vocabulary.count,
                rows.values.allSatisfy(\.isFinite)
            else {
                throw ModelInvariantError(
                    "\(name) rows are \(rows.rows) × \(rows.columns) for \(articles.count) articles and \(weighting.vocabulary.count) terms, or hold a non-finite value"
                )
            }
        }
        try neighborLists.check(articles: articles.count)
        if let problem = index.approximateIndex?.problem(articles: articles.count, dimensions: d) {
            throw ModelInvariantError("approximate index: \(problem)")
        }
        guard index.count == articles.count else {
            throw ModelInvariantError("\(index.count) article vectors for \(articles.count) articles")
        }
        guard manifest.articles == articles.count, manifest.terms == weighting.vocabulary.count,
            manifest.dimensions == d
        else {
            throw ModelInvariantError(
                "manifest says \(manifest.articles) articles, \(manifest.terms) terms, \(manifest.dimensions) dimensions; the data has \(articles.count), \(weighting.vocabulary.count), \(d)"
            )
        }
        if includingData { try checkData() }
    }

    /// Every term vector value is finite.
    func checkTermVectors() throws {
        if let bad = termVectors.storage.firstIndex(where: { !$0.isFinite }) {
            throw ModelInvariantError("term vector value \(bad) is \(termVectors.storage[bad])")
        }
    }

    /// The values: finite weights, term vectors and singular values; unit-length article vectors,
    /// as many empty ones as the manifest says.
    private func checkData() throws {
        let d = termVectors.columns
        if let bad = weighting.globalWeights.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
            throw ModelInvariantError("global weight of term \(bad) is \(weighting.globalWeights[bad])")
        }
        try checkTermVectors()
        if let bad = singularValues.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
            throw ModelInvariantError("singular value \(bad) is \(singularValues[bad])")
        }
        var empty = 0
        for row in 0..<index.count {
            var sum: Float = 0
            for j in 0..<d {
                let value = index.vectors.storage[row * d + j]
                guard value.isFinite else {
                    throw ModelInvariantError("article '\(articles[row].id)' has a non-finite vector value \(value)")
                }
                sum += value * value
            }
            if index.isEmptyRow[row] {
                empty += 1
            } else if abs(sum.squareRoot() - 1) > Self.unitNormTolerance {
                throw ModelInvariantError(
                    "article '\(articles[row].id)' has a vector of length \(sum.squareRoot()), not 1")
            }
        }
        guard empty == manifest.articlesWithoutTerms else {
            throw ModelInvariantError(
                "\(empty) articles have zero vectors; the manifest says \(manifest.articlesWithoutTerms)")
        }
    }
}
