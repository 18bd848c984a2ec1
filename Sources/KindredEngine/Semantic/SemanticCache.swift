import KindredLinearAlgebra

/// Vectors of a previous build by content digest, so that a nightly reindex embeds only new or
/// changed articles: the previous model's semantic section is the cache, and nothing else is
/// kept on disk.
public struct SemanticCache: Sendable {
    private let rows: [SemanticVectors.ContentDigest: Int]
    private let vectors: DenseMatrix

    /// The cache of `previous`'s vectors (none when it has no semantic section).
    public init(_ previous: SemanticVectors?) {
        var rows: [SemanticVectors.ContentDigest: Int] = [:]
        if let previous {
            rows.reserveCapacity(previous.digests.count)
            for (row, digest) in previous.digests.enumerated() where digest != .none { rows[digest] = row }
        }
        self.rows = rows
        vectors = previous?.vectors ?? DenseMatrix(rows: 0, columns: 0)
    }

    public var count: Int { rows.count }

    /// The cached vector for `digest`, written into `destination` (`dimension` floats); false when
    /// there is none of that dimension.
    func copy(_ digest: SemanticVectors.ContentDigest, into destination: UnsafeMutablePointer<Float>, dimension: Int)
        -> Bool
    {
        guard let row = rows[digest], vectors.columns == dimension else { return false }
        vectors.storage.withUnsafeBufferPointer {
            destination.update(from: $0.baseAddress! + row * dimension, count: dimension)
        }
        return true
    }
}
