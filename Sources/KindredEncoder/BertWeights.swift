/// A BERT checkpoint's tensors, arranged for `SentenceEncoder`'s forward pass.
///
/// PyTorch stores a linear layer's weight as `out × in`; `y = x·Wᵀ + b` is then one `sgemm`
/// with B transposed, with no copy. The query, key and value projections are stacked into one
/// `3·hidden × hidden` matrix so that a layer's attention inputs come from a single product.
struct BertWeights: Sendable {
    struct Layer: Sendable {
        let queryKeyValue: [Float]
        let queryKeyValueBias: [Float]
        let attentionOutput: [Float]
        let attentionOutputBias: [Float]
        let attentionNormScale: [Float]
        let attentionNormShift: [Float]
        let intermediate: [Float]
        let intermediateBias: [Float]
        let output: [Float]
        let outputBias: [Float]
        let outputNormScale: [Float]
        let outputNormShift: [Float]
    }

    let words: [Float]
    let positions: [Float]
    let tokenTypes: [Float]
    let embeddingNormScale: [Float]
    let embeddingNormShift: [Float]
    let layers: [Layer]
    /// `intermediate` zeros: the bias of a GELU that has none.
    let zeros: [Float]

    /// Reads every tensor the forward pass needs, checking each shape against `configuration`.
    init(_ file: SafeTensors, _ configuration: BertConfiguration) throws(EncoderError) {
        let h = configuration.hiddenSize, i = configuration.intermediateSize
        // Checkpoints saved from `BertModel` name tensors from the root; from a task model, under `bert.`.
        let root = file.entries["embeddings.word_embeddings.weight"] == nil ? "bert." : ""
        func tensor(_ name: String, _ shape: [Int]) throws(EncoderError) -> [Float] {
            try file.floats(root + name, shape: shape)
        }
        words = try tensor("embeddings.word_embeddings.weight", [configuration.vocabularySize, h])
        positions = try tensor("embeddings.position_embeddings.weight", [configuration.maxPositions, h])
        tokenTypes = try tensor("embeddings.token_type_embeddings.weight", [configuration.typeVocabularySize, h])
        embeddingNormScale = try tensor("embeddings.LayerNorm.weight", [h])
        embeddingNormShift = try tensor("embeddings.LayerNorm.bias", [h])
        var layers: [Layer] = []
        for index in 0..<configuration.layers {
            let prefix = "encoder.layer.\(index)."
            func part(_ name: String, _ shape: [Int]) throws(EncoderError) -> [Float] {
                try tensor(prefix + name, shape)
            }
            let query = try part("attention.self.query.weight", [h, h])
            let key = try part("attention.self.key.weight", [h, h])
            let value = try part("attention.self.value.weight", [h, h])
            let queryBias = try part("attention.self.query.bias", [h])
            let keyBias = try part("attention.self.key.bias", [h])
            let valueBias = try part("attention.self.value.bias", [h])
            layers.append(
                Layer(
                    queryKeyValue: query + key + value,
                    queryKeyValueBias: queryBias + keyBias + valueBias,
                    attentionOutput: try part("attention.output.dense.weight", [h, h]),
                    attentionOutputBias: try part("attention.output.dense.bias", [h]),
                    attentionNormScale: try part("attention.output.LayerNorm.weight", [h]),
                    attentionNormShift: try part("attention.output.LayerNorm.bias", [h]),
                    intermediate: try part("intermediate.dense.weight", [i, h]),
                    intermediateBias: try part("intermediate.dense.bias", [i]),
                    output: try part("output.dense.weight", [h, i]),
                    outputBias: try part("output.dense.bias", [h]),
                    outputNormScale: try part("output.LayerNorm.weight", [h]),
                    outputNormShift: try part("output.LayerNorm.bias", [h])))
        }
        self.layers = layers
        zeros = [Float](repeating: 0, count: max(i, h))
    }
}
