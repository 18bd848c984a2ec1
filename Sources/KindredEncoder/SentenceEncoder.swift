import Foundation
import KindredLinearAlgebra

/// A sentence encoder in the sentence-transformers mould (Reimers & Gurevych, "Sentence-BERT",
/// EMNLP 2019): a BERT encoder over the text's word pieces, the mean of its last layer over the
/// tokens, scaled to unit length. all-MiniLM-L6-v2 is the one Kindred ships for (6 layers,
/// hidden 384, 12 heads); any BERT checkpoint in the same three files loads the same way.
///
/// It reads the files as Hugging Face ships them — `config.json`, `vocab.txt`, `model.safetensors`
/// — and runs the forward pass on the BLAS (`sgemm`) with Kindred's element-wise kernels
/// (`CKindredKernels/Transformer.c`). Texts are batched by length and packed without padding:
/// the linear layers see every token of a batch in one product, attention runs per text.
///
/// Thread-safe: the weights are read-only, and each call works in buffers of its own.
public final class SentenceEncoder: Sendable {
    public let identity: EncoderIdentity
    public let configuration: BertConfiguration
    public let tokenizer: BertTokenizer
    let weights: BertWeights

    /// The word-piece limit chosen on the development sets (docs/semantic.md): the first 128
    /// pieces of title and body carry a news story's subject, and cost half of 256.
    public static let defaultMaxTokens = 128

    /// The vectors' length (the hidden size: 384 for all-MiniLM-L6-v2).
    public var dimension: Int { configuration.hiddenSize }

    /// Loads the encoder in `directory`.
    ///
    /// - Parameter expectedChecksum: when given, the files' checksum must equal it (a model's
    ///   recorded encoder, or a pinned release).
    /// - Throws: `EncoderError` for a missing or damaged file, another architecture, a vocabulary
    ///   that doesn't fit the weights, or a checksum that differs.
    public init(directory: String, expectedChecksum: String? = nil) throws(EncoderError) {
        let folder = directory.hasSuffix("/") && directory.count > 1 ? String(directory.dropLast()) : directory
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw EncoderError(.missingFile, "no encoder folder at \(folder)")
        }
        let configPath = folder + "/config.json", vocabularyPath = folder + "/vocab.txt"
        let configuration = try BertConfiguration(path: configPath)
        let tensors = try SafeTensors(path: folder + "/model.safetensors")
        let files = [configPath, vocabularyPath].map { FileManager.default.contents(atPath: $0) ?? Data() }
        let identity = EncoderIdentity.of(
            name: (folder as NSString).lastPathComponent, files: files + [tensors.bytes])
        if let expectedChecksum, identity.checksum != expectedChecksum {
            throw EncoderError(
                .checksumMismatch,
                "the encoder in \(folder) has checksum \(identity.checksum), expected \(expectedChecksum): the files differ from the ones recorded"
            )
        }
        let weights = try BertWeights(tensors, configuration)
        self.tokenizer = try BertTokenizer(vocabularyPath: vocabularyPath, expectedSize: configuration.vocabularySize)
        self.configuration = configuration
        self.identity = identity
        self.weights = weights
    }

    /// The longest `maxTokens` this encoder accepts: its position table's size.
    public var maxTokensLimit: Int { configuration.maxPositions }

    /// Checks a word-piece limit (`--encoder-max-tokens`).
    public func checkMaxTokens(_ maxTokens: Int) throws(EncoderError) {
        guard maxTokens >= 8, maxTokens <= maxTokensLimit else {
            throw EncoderError(
                .invalidOption,
                "the encoder's word-piece limit must be between 8 and \(maxTokensLimit); got \(maxTokens)")
        }
    }

    /// Unit vectors for `texts`, one row each, in order: each text cut at `maxTokens` word pieces
    /// (`[CLS]` and `[SEP]` included). Empty text gets the vector of `[CLS] [SEP]`.
    public func encode(_ texts: [String], maxTokens: Int = SentenceEncoder.defaultMaxTokens) -> DenseMatrix {
        let limit = min(max(maxTokens, 2), maxTokensLimit)
        return encode(tokenized: texts.map { tokenizer.ids($0, maxTokens: limit) })
    }

    /// Unit vectors for texts already turned into ids (each `[CLS] … [SEP]`, within the position table).
    public func encode(tokenized: [[Int32]]) -> DenseMatrix {
        var vectors = DenseMatrix(rows: tokenized.count, columns: dimension)
        for batch in Self.batches(lengths: tokenized.map(\.count)) {
            let output = forward(batch.map { tokenized[$0] })
            for (slot, row) in batch.enumerated() {
                for c in 0..<dimension { vectors[row, c] = output[slot * dimension + c] }
            }
        }
        return vectors
    }

    /// Indices of texts grouped into batches of similar length: sorted by length, then cut so a
    /// batch holds at most `tokenBudget` tokens (its working memory is bounded by that).
    static func batches(lengths: [Int], tokenBudget: Int = 8_192) -> [[Int]] {
        let order = lengths.indices.sorted { lengths[$0] < lengths[$1] }
        var batches: [[Int]] = []
        var current: [Int] = []
        var tokens = 0
        for index in order {
            if !current.isEmpty, tokens + lengths[index] > tokenBudget {
                batches.append(current)
                current = []
                tokens = 0
            }
            current.append(index)
            tokens += lengths[index]
        }
        if !current.isEmpty { batches.append(current) }
        return batches
    }
}
