import CXXHash
import Foundation
import KindredEncoder
import KindredLinearAlgebra

/// The semantic channel's vectors in a model: one unit vector per article from a sentence
/// encoder (`SentenceEncoder`), beside LSA's, with what made them.
///
/// An article in a language the encoder doesn't cover has a zero row: its semantic cosine is 0
/// with everything, so the channel adds nothing to it. Each row also keeps a digest of the
/// encoder's input and identity (`contentDigest`), so that the next build reuses the vector of
/// an unchanged article instead of embedding it again (`SemanticCache`).
public struct SemanticVectors: Sendable {
    /// The encoder the vectors came from; a server refuses to embed drafts with another.
    public let encoder: EncoderIdentity
    /// The word-piece limit the articles were cut at.
    public let maxTokens: Int
    /// `articles × dimension`, unit rows or zero rows.
    public let vectors: DenseMatrix
    /// Per row, `contentDigest` of its input (all zeros for a row not embedded).
    public let digests: [ContentDigest]
    /// Exact (int8 candidates, `Float` rescoring) search over `vectors`: the same machinery as
    /// LSA's, on the encoder's vectors. Nil for vectors read only to be reused by a build
    /// (`ModelFile.readSemanticVectors`), which never searches them.
    public let index: EmbeddingIndex?

    /// - Parameter searchable: build `index` (quantising every vector and preparing the int8
    ///   product); false for a cache.
    public init(
        encoder: EncoderIdentity, maxTokens: Int, vectors: DenseMatrix, digests: [ContentDigest],
        searchable: Bool = true
    ) {
        precondition(digests.count == vectors.rows, "one digest per vector")
        self.encoder = encoder
        self.maxTokens = maxTokens
        self.vectors = vectors
        self.digests = digests
        index = searchable ? EmbeddingIndex(vectors: vectors) : nil
    }

    /// Whether row `row` has a vector.
    public func isCovered(_ row: Int) -> Bool { digests[row] != .none }

    /// The cosine of `query` (unit length) and row `row`; nil when the row has no vector.
    public func cosine(_ query: [Float], row: Int) -> Float? {
        guard isCovered(row) else { return nil }
        let d = vectors.columns
        return vectors.storage.withUnsafeBufferPointer { rows in
            query.withUnsafeBufferPointer { Vector.dot($0.baseAddress!, rows.baseAddress! + row * d, count: d) }
        }
    }

    /// Rows with a vector (articles in a language the encoder covers).
    public var covered: Int { digests.count(where: { $0 != .none }) }

    /// A 128-bit XXH3 digest (Collet, xxHash 0.8) of what an article's vector depends on.
    public struct ContentDigest: Sendable, Hashable {
        public let high: UInt64
        public let low: UInt64
        public static let none = ContentDigest(high: 0, low: 0)
    }

    /// The digest of `input` as `encoder` reads it at `maxTokens`: equal digests, equal vectors.
    public static func contentDigest(of input: String, encoder: EncoderIdentity, maxTokens: Int) -> ContentDigest {
        var key = "\(encoder.checksum)\u{0}\(maxTokens)\u{0}"
        key += input
        let hash =
            key.utf8.withContiguousStorageIfAvailable { XXH3_128bits($0.baseAddress, $0.count) }
            ?? Array(key.utf8).withUnsafeBytes { XXH3_128bits($0.baseAddress, $0.count) }
        return ContentDigest(high: hash.high64, low: hash.low64)
    }

    /// Whether the encoder reads `language` (a BCP 47 tag): its primary subtag is one it covers.
    public static func covers(_ language: String, languages: Set<String>) -> Bool {
        let primary = language.split(separator: "-").first.map { $0.lowercased() } ?? ""
        return languages.contains(primary)
    }

    /// The languages all-MiniLM-L6-v2 was trained on. A multilingual encoder would list its own
    /// (docs/architecture.md).
    public static let englishOnly: Set<String> = ["en"]
}

extension Model {
    /// Row `row`'s semantic vector; nil without the channel or for an article it didn't read.
    public func semanticVector(row: Int) -> [Float]? {
        guard let semantic, semantic.isCovered(row) else { return nil }
        return semantic.vectors.row(row)
    }

    /// `similarity(row:to:)` with the semantic cosine blended in:
    /// `(1 − s)·blend + s·cosine(semantic a, semantic b)`, where `s` is `semanticWeight` when both
    /// articles have a semantic vector and 0 otherwise (an uncovered language, or no channel),
    /// so an article the encoder can't read keeps its score on words alone.
    public func similarity(row a: Int, to b: Int, semanticWeight: Float) -> Float? {
        guard let words = similarity(row: a, to: b) else { return nil }
        guard semanticWeight > 0, let semantic, semantic.digests[a] != .none, semantic.digests[b] != .none else {
            return words
        }
        let d = semantic.vectors.columns
        let cosine = semantic.vectors.storage.withUnsafeBufferPointer {
            Vector.dot($0.baseAddress! + a * d, $0.baseAddress! + b * d, count: d)
        }
        return (1 - semanticWeight) * words + semanticWeight * cosine
    }

    /// One line on the semantic channel, after "semantic: ": `on (all-MiniLM-L6-v2, checksum
    /// 7ce693a4, 128 word pieces, 85 of 85 articles)`, or `off (` and how to turn it on `)`.
    public var semanticSummary: String {
        guard let semantic else {
            return
                "off (the model was built without a sentence encoder: run scripts/fetch-encoder.sh, then reindex with --encoder DIR or $KINDRED_ENCODER set)"
        }
        let lists = listsSemanticWeight > 0 ? "; related lists fused at \(listsSemanticWeight)" : ""
        return
            "on (\(semantic.encoder), \(semantic.maxTokens) word pieces, \(semantic.covered) of \(articles.count) articles\(lists))"
    }
}
