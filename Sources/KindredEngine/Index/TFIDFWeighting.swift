import Foundation
import KindredLinearAlgebra

/// TF-IDF weights of the model, and the way any text's term counts become a sparse vector.
///
/// For term `t` in article `d`, with `tf` the field-weighted count (title terms count
/// `titleWeight` times), `n` the number of articles and `df(t)` the number containing `t`:
///
///     tf'(t, d) = 1 + ln tf      when tf ≥ 1   (sublinear tf, Salton & Buckley 1988)
///               = tf             when tf < 1   (only with title weights below 1; keeps it positive)
///     idf(t)    = ln((1 + n) / (1 + df(t))) + 1   (smoothed: as if one extra article held every term)
///     w(t, d)   = tf'(t, d) · idf(t), then each article's vector is scaled to unit L2 length.
///
/// This is scikit-learn's `TfidfTransformer(sublinear_tf=True, smooth_idf=True, norm="l2")`,
/// so figures compare like for like. Terms outside the vocabulary are ignored.
public struct TFIDFWeighting: Sendable, Equatable {
    public let vocabulary: Vocabulary
    /// `idf(t)` per vocabulary term.
    public let inverseDocumentFrequencies: [Float]

    public init(vocabulary: Vocabulary, inverseDocumentFrequencies: [Float]) {
        self.vocabulary = vocabulary
        self.inverseDocumentFrequencies = inverseDocumentFrequencies
    }

    /// Weights from document frequencies over `documentCount` articles.
    public init(vocabulary: Vocabulary, documentCount: Int) {
        let n = Double(documentCount)
        self.init(
            vocabulary: vocabulary,
            inverseDocumentFrequencies: vocabulary.documentFrequencies.map {
                Float(log((1 + n) / (1 + Double($0))) + 1)
            })
    }

    /// The sublinear term frequency `tf'`.
    @inline(__always)
    public static func sublinear(_ tf: Float) -> Float {
        tf >= 1 ? 1 + log(tf) : tf
    }

    /// The unit-length sparse TF-IDF vector of weighted term counts, columns ascending.
    /// Empty when no term is in the vocabulary.
    public func vector(counts: [String: Float]) -> SparseVector {
        var frequencies: [(Int32, Float)] = []
        frequencies.reserveCapacity(counts.count)
        for (term, tf) in counts {
            if let id = vocabulary.id(of: term) { frequencies.append((id, tf)) }
        }
        return vector(termFrequencies: frequencies)
    }

    /// The unit-length sparse TF-IDF vector of `(term id, weighted tf)` pairs, each id at most
    /// once, in any order. Empty when no pair has a positive weight.
    public func vector(termFrequencies: [(Int32, Float)]) -> SparseVector {
        var entries = termFrequencies.filter { $0.1 > 0 }
        entries.sort { $0.0 < $1.0 }
        var values = entries.map { Self.sublinear($0.1) * inverseDocumentFrequencies[Int($0.0)] }
        if !Vector.normalize(&values) { return SparseVector(indices: [], values: []) }
        return SparseVector(indices: entries.map(\.0), values: values)
    }
}

/// A sparse vector: parallel arrays of ascending indices and their values.
public struct SparseVector: Sendable, Equatable {
    public var indices: [Int32]
    public var values: [Float]

    public var isEmpty: Bool { indices.isEmpty }
}
