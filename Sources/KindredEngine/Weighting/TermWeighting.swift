import Foundation
import KindredLinearAlgebra

/// How term counts become weights: a local weight of the count in the article times a global
/// weight of the term in the corpus.
public enum WeightingScheme: String, Codable, Sendable, CaseIterable {
    /// `(1 + ln tf) · (ln((1 + n) / (1 + df)) + 1)`: sublinear TF with smoothed IDF
    /// (Salton & Buckley 1988), scikit-learn's `TfidfTransformer(sublinear_tf=True, smooth_idf=True)`.
    case tfidf
    /// `ln(1 + tf) · (1 + Σⱼ pⱼ ln pⱼ / ln n)` with `pⱼ = tfⱼ / gf`, the term's share of its
    /// corpus-wide count `gf` in article `j`: the log-entropy weighting recommended for LSA by
    /// Dumais ("Improving the retrieval of information from external sources", 1991). A term
    /// spread evenly over the corpus gets global weight 0, one concentrated in a single article 1.
    case logEntropy = "log-entropy"
}

/// The model's term weights, and the way any text's term counts become a sparse vector.
///
/// For term `t` in article `d`, with `tf` the field-weighted count (title terms count
/// `titleWeight` times) and `n` the number of articles:
///
///     w(t, d) = local(tf) · global(t), then each article's vector is scaled to unit L2 length
///
/// with `local` and `global` given by the `WeightingScheme`. Sublinear TF is `tf` itself below 1
/// (only reachable with a title weight below 1) so that weights stay positive. Terms outside the
/// vocabulary are ignored.
public struct TermWeighting: Sendable, Equatable {
    public let scheme: WeightingScheme
    public let vocabulary: Vocabulary
    /// `global(t)` per vocabulary term.
    public let globalWeights: [Float]

    public init(scheme: WeightingScheme = .tfidf, vocabulary: Vocabulary, globalWeights: [Float]) {
        self.scheme = scheme
        self.vocabulary = vocabulary
        self.globalWeights = globalWeights
    }

    /// TF-IDF weights from document frequencies over `documentCount` articles.
    public init(vocabulary: Vocabulary, documentCount: Int) {
        let n = Double(documentCount)
        self.init(
            scheme: .tfidf, vocabulary: vocabulary,
            globalWeights: vocabulary.documentFrequencies.map { Float(log((1 + n) / (1 + Double($0))) + 1) })
    }

    /// Log-entropy weights from each term's corpus-wide count `gf = Σⱼ tfⱼ` and `Σⱼ tfⱼ ln tfⱼ`.
    ///
    /// `Σⱼ pⱼ ln pⱼ = (Σⱼ tfⱼ ln tfⱼ) / gf − ln gf`, so two sums per term suffice.
    public init(vocabulary: Vocabulary, documentCount: Int, totalCounts: [Double], countLogCounts: [Double]) {
        let logN = log(Double(max(documentCount, 2)))
        self.init(
            scheme: .logEntropy, vocabulary: vocabulary,
            globalWeights: zip(totalCounts, countLogCounts).map { gf, sum in
                guard gf > 0 else { return 0 }
                let entropy = sum / gf - log(gf)  // Σ p ln p, in [−ln n, 0]
                return Float(min(1, max(0, 1 + entropy / logN)))
            })
    }

    /// The sublinear term frequency `1 + ln tf` (TF-IDF's local weight).
    @inline(__always)
    public static func sublinear(_ tf: Float) -> Float {
        tf >= 1 ? 1 + log(tf) : tf
    }

    /// The local weight of a count under this scheme.
    @inline(__always)
    public func local(_ tf: Float) -> Float {
        switch scheme {
        case .tfidf: Self.sublinear(tf)
        case .logEntropy: log1p(tf)
        }
    }

    /// The unit-length sparse vector of weighted term counts, columns ascending.
    /// Empty when no term is in the vocabulary.
    public func vector(counts: [String: Float]) -> SparseVector {
        var frequencies: [(Int32, Float)] = []
        frequencies.reserveCapacity(counts.count)
        for (term, tf) in counts {
            if let id = vocabulary.id(of: term) { frequencies.append((id, tf)) }
        }
        return vector(termFrequencies: frequencies)
    }

    /// The unit-length sparse vector of `(term id, weighted tf)` pairs, each id at most once, in
    /// any order. Empty when no pair has a positive weight.
    public func vector(termFrequencies: [(Int32, Float)]) -> SparseVector {
        var entries = termFrequencies.filter { $0.1 > 0 && globalWeights[Int($0.0)] > 0 }
        entries.sort { $0.0 < $1.0 }
        var values = entries.map { local($0.1) * globalWeights[Int($0.0)] }
        if !Vector.normalize(&values) { return .empty }
        return SparseVector(indices: entries.map(\.0), values: values)
    }
}
