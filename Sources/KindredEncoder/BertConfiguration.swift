import Foundation

/// The parts of a Hugging Face `config.json` that fix a BERT encoder's shape, checked against
/// what `SentenceEncoder` runs: a post-norm BERT with absolute positions and GELU (Devlin et
/// al., "BERT: Pre-training of Deep Bidirectional Transformers", NAACL 2019).
public struct BertConfiguration: Sendable, Equatable {
    public let vocabularySize: Int
    public let hiddenSize: Int
    public let layers: Int
    public let heads: Int
    public let intermediateSize: Int
    public let maxPositions: Int
    public let typeVocabularySize: Int
    public let layerNormEpsilon: Float

    private struct File: Decodable {
        let model_type: String?
        let architectures: [String]?
        let hidden_act: String?
        let position_embedding_type: String?
        let vocab_size: Int?
        let hidden_size: Int?
        let num_hidden_layers: Int?
        let num_attention_heads: Int?
        let intermediate_size: Int?
        let max_position_embeddings: Int?
        let type_vocab_size: Int?
        let layer_norm_eps: Double?
    }

    /// Reads and checks `config.json` at `path`.
    ///
    /// - Throws: `EncoderError` `.missingFile`, `.corruptFile` (not JSON), or
    ///   `.unsupportedArchitecture` for any other model type, activation or position scheme.
    init(path: String) throws(EncoderError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EncoderError(.missingFile, "\(path) is missing or unreadable")
        }
        guard let file = try? JSONDecoder().decode(File.self, from: data) else {
            throw EncoderError(.corruptFile, "\(path) is not a model configuration (JSON with the model's shape)")
        }
        func unsupported(_ what: String) -> EncoderError {
            EncoderError(
                .unsupportedArchitecture,
                "\(path) describes \(what); Kindred's encoder runs BERT models (model_type \"bert\", GELU, absolute positions), such as all-MiniLM-L6-v2"
            )
        }
        guard file.model_type == "bert" else { throw unsupported("model_type \"\(file.model_type ?? "none")\"") }
        if let architectures = file.architectures, !architectures.isEmpty,
            !architectures.contains(where: { $0.hasPrefix("Bert") })
        {
            throw unsupported("architectures \(architectures)")
        }
        guard (file.hidden_act ?? "gelu") == "gelu" else { throw unsupported("activation \"\(file.hidden_act!)\"") }
        guard (file.position_embedding_type ?? "absolute") == "absolute" else {
            throw unsupported("position embeddings \"\(file.position_embedding_type!)\"")
        }
        guard let vocabulary = file.vocab_size, let hidden = file.hidden_size, let layers = file.num_hidden_layers,
            let heads = file.num_attention_heads, let intermediate = file.intermediate_size,
            let positions = file.max_position_embeddings
        else { throw unsupported("a model without vocab_size, hidden_size, layers, heads or sizes") }
        let sizes = [vocabulary, hidden, layers, heads, intermediate, positions]
        guard sizes.allSatisfy({ $0 > 0 && $0 <= 1_000_000 }), hidden % heads == 0, positions >= 3 else {
            throw unsupported("sizes Kindred can't run (\(sizes))")
        }
        vocabularySize = vocabulary
        hiddenSize = hidden
        self.layers = layers
        self.heads = heads
        intermediateSize = intermediate
        maxPositions = positions
        typeVocabularySize = max(1, file.type_vocab_size ?? 2)
        layerNormEpsilon = Float(file.layer_norm_eps ?? 1e-12)
    }

    /// Columns of one attention head.
    public var headSize: Int { hiddenSize / heads }
}
