import Foundation
import KindredEncoder

/// A written article's semantic vector, as its journal entry carries it.
///
/// The server that takes a write embeds the article once and records the vector in the entry, so
/// that replaying the journal after a restart, and every replica reading a shared journal, gets
/// the same vector without running the encoder again (embedding is tens of milliseconds an
/// article; a day's journal would otherwise delay every start). A vector is used only beside a
/// model whose vectors came from the same encoder at the same word-piece limit (`fits`).
public struct ArticleMeaning: Sendable, Equatable {
    /// `EncoderIdentity.checksum` of the encoder that made it.
    public var encoder: String
    /// The word-piece limit the text was cut at.
    public var maxTokens: Int
    /// Unit length.
    public var vector: [Float]

    public init(encoder: String, maxTokens: Int, vector: [Float]) {
        (self.encoder, self.maxTokens, self.vector) = (encoder, maxTokens, vector)
    }

    /// Whether the vector can sit beside `semantic`'s: same encoder, limit and dimension.
    public func fits(_ semantic: SemanticVectors) -> Bool {
        encoder == semantic.encoder.checksum && maxTokens == semantic.maxTokens
            && vector.count == semantic.vectors.columns
    }

    /// The journal's JSON: the vector as little-endian `Float32`s in base64, a quarter the size of
    /// decimal numbers and read back bit for bit.
    var json: [String: Any] {
        let bytes = vector.withUnsafeBufferPointer { buffer in
            Data(
                buffer.flatMap { value -> [UInt8] in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } })
        }
        return ["encoder": encoder, "max_tokens": maxTokens, "vector": bytes.base64EncodedString()]
    }

    /// Reads `json`; nil for anything else (a hand-edited line, a newer format). The entry's
    /// article is applied either way: a vector that can't be read costs its meaning, not the write.
    init?(json: Any?) {
        guard let object = json as? [String: Any], let encoder = object["encoder"] as? String,
            let maxTokens = object["max_tokens"] as? Int, let text = object["vector"] as? String,
            let bytes = Data(base64Encoded: text), !bytes.isEmpty, bytes.count % 4 == 0
        else { return nil }
        let vector = stride(from: 0, to: bytes.count, by: 4).map { offset in
            Float(bitPattern: bytes[offset..<offset + 4].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        }
        let norm = vector.reduce(Float(0)) { $0 + $1 * $1 }
        guard norm.isFinite, abs(norm - 1) < 1e-3 else { return nil }
        self.init(encoder: encoder, maxTokens: maxTokens, vector: vector)
    }
}

extension LiveIndex {
    /// The meanings of articles about to be written, embedded in one batch with `encoder` when it
    /// made the model's vectors; nil for each article the channel doesn't read (no channel,
    /// another encoder, a language the encoder doesn't cover).
    public func meanings(of articles: [Article], encoder: SentenceEncoder?) -> [ArticleMeaning?] {
        guard let encoder, let semantic = model.semantic, encoder.identity.matches(semantic.encoder) else {
            return articles.map { _ in nil }
        }
        let covered = articles.indices.filter {
            SemanticVectors.covers(articles[$0].language, languages: SemanticVectors.englishOnly)
        }
        guard !covered.isEmpty else { return articles.map { _ in nil } }
        let ids = covered.map {
            encoder.tokenizer.ids(
                SentenceEncoder.input(title: articles[$0].title, body: articles[$0].body), maxTokens: semantic.maxTokens
            )
        }
        let vectors = encoder.encode(tokenized: ids)
        var meanings = [ArticleMeaning?](repeating: nil, count: articles.count)
        for (i, slot) in covered.enumerated() {
            meanings[slot] = ArticleMeaning(
                encoder: semantic.encoder.checksum, maxTokens: semantic.maxTokens, vector: vectors.row(i))
        }
        return meanings
    }

    /// `meaning`'s vector when it fits the model's; nil otherwise (the article ranks on words).
    func usable(_ meaning: ArticleMeaning?) -> [Float]? {
        guard let meaning, let semantic = model.semantic, meaning.fits(semantic) else { return nil }
        return meaning.vector
    }
}
