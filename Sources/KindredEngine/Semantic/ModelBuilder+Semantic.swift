import Foundation
import KindredEncoder
import KindredLinearAlgebra

/// How a build embeds its articles for the semantic channel.
public struct SemanticBuild: Sendable {
    public var encoder: SentenceEncoder
    public var maxTokens: Int
    /// The previous build's vectors by content: unchanged articles are copied, not embedded.
    public var cache: SemanticCache
    /// Languages (primary subtags) the encoder reads; other articles get a zero vector.
    public var languages: Set<String>

    public init(
        encoder: SentenceEncoder, maxTokens: Int = SentenceEncoder.defaultMaxTokens,
        cache: SemanticCache = SemanticCache(nil), languages: Set<String> = SemanticVectors.englishOnly
    ) {
        self.encoder = encoder
        self.maxTokens = maxTokens
        self.cache = cache
        self.languages = languages
    }

    /// What a build did: articles embedded now, reused from the cache, and left out (language).
    public struct Counts: Sendable, Equatable {
        public var embedded = 0
        public var reused = 0
        public var uncovered = 0
    }

    /// The articles' vectors, reporting `fraction` done as it goes: digests first, cached rows
    /// copied, the rest embedded in chunks (the encoder batches each chunk by length).
    func vectors(
        of articles: borrowing [Article], progress: (Double) -> Void
    ) -> (SemanticVectors, Counts) {
        let d = encoder.dimension
        var vectors = DenseMatrix(rows: articles.count, columns: d)
        var digests = [SemanticVectors.ContentDigest](repeating: .none, count: articles.count)
        var counts = Counts()
        var pending: [Int] = []
        vectors.storage.withUnsafeMutableBufferPointer { storage in
            for row in articles.indices {
                let article = articles[row]
                guard SemanticVectors.covers(article.language, languages: languages) else {
                    counts.uncovered += 1
                    continue
                }
                let input = SentenceEncoder.input(title: article.title, body: article.body)
                digests[row] = SemanticVectors.contentDigest(of: input, encoder: encoder.identity, maxTokens: maxTokens)
                if cache.copy(digests[row], into: storage.baseAddress! + row * d, dimension: d) {
                    counts.reused += 1
                } else {
                    pending.append(row)
                }
            }
        }
        counts.embedded = pending.count
        let chunk = 2_048
        for start in stride(from: 0, to: pending.count, by: chunk) {
            let rows = pending[start..<min(pending.count, start + chunk)]
            let ids = Parallel.map(rows.count) { i in
                let article = articles[rows[rows.startIndex + i]]
                return encoder.tokenizer.ids(
                    SentenceEncoder.input(title: article.title, body: article.body), maxTokens: maxTokens)
            }
            let embedded = encoder.encode(tokenized: ids)
            for (i, row) in rows.enumerated() {
                for c in 0..<d { vectors[row, c] = embedded[i, c] }
            }
            progress(Double(start + rows.count) / Double(max(1, pending.count)))
        }
        return (
            SemanticVectors(encoder: encoder.identity, maxTokens: maxTokens, vectors: vectors, digests: digests), counts
        )
    }
}
