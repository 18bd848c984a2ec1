import CKindredKernels
import KindredLinearAlgebra

extension SentenceEncoder {
    /// The pooled unit vectors of `sequences` (each `[CLS] … [SEP]`), `count × hidden` floats.
    ///
    /// The batch's tokens sit one after another in `hidden` (`tokens × h`), with no padding; each
    /// layer is
    /// 1. `qkv = hidden·W_qkvᵀ + b` (one `sgemm` for the three projections);
    /// 2. per text and head, `softmax(Q·Kᵀ/√d)·V` into `context`;
    /// 3. `hidden = LayerNorm(hidden + context·W_oᵀ + b_o)`;
    /// 4. `hidden = LayerNorm(hidden + GELU(hidden·W_iᵀ + b_i)·W_2ᵀ + b_2)`.
    func forward(_ sequences: [[Int32]]) -> [Float] {
        let h = configuration.hiddenSize
        let lengths = sequences.map(\.count)
        let starts = lengths.reduce(into: [0]) { $0.append($0.last! + $1) }
        let tokens = starts.last!
        precondition(
            lengths.allSatisfy { $0 >= 1 && $0 <= configuration.maxPositions },
            "a text outside 1…\(configuration.maxPositions) tokens")
        var work = Workspace(
            tokens: tokens, hidden: h, intermediate: configuration.intermediateSize,
            longest: lengths.max() ?? 0)
        embed(sequences, into: &work)
        for layer in weights.layers { apply(layer, lengths: lengths, starts: starts, work: &work) }
        return pool(work.hidden, lengths: lengths, starts: starts)
    }

    /// Buffers for one batch.
    struct Workspace {
        var hidden: [Float]
        /// The position and type embeddings, then free.
        var update: [Float]
        var queryKeyValue: [Float]
        var intermediate: [Float]
        let tokens: Int

        init(tokens: Int, hidden h: Int, intermediate i: Int, longest: Int) {
            self.tokens = tokens
            hidden = [Float](repeating: 0, count: tokens * h)
            update = [Float](repeating: 0, count: tokens * h)
            queryKeyValue = [Float](repeating: 0, count: tokens * 3 * h)
            intermediate = [Float](repeating: 0, count: tokens * i)
        }
    }

    /// `hidden = LayerNorm(word + position + token type 0)` for every token.
    private func embed(_ sequences: [[Int32]], into work: inout Workspace) {
        let h = configuration.hiddenSize
        var row = 0
        for sequence in sequences {
            for (position, id) in sequence.enumerated() {
                let word = Int(id) < configuration.vocabularySize ? Int(id) : Int(tokenizer.unknownID)
                for c in 0..<h {
                    work.hidden[row * h + c] = weights.words[word * h + c]
                    work.update[row * h + c] = weights.positions[position * h + c] + weights.tokenTypes[c]
                }
                row += 1
            }
        }
        let zero = [Float](repeating: 0, count: h)
        Self.layerNorm(
            &work.hidden, plus: work.update, bias: zero, rows: work.tokens, columns: h,
            scale: weights.embeddingNormScale, shift: weights.embeddingNormShift,
            epsilon: configuration.layerNormEpsilon)
    }

    private func apply(_ layer: BertWeights.Layer, lengths: [Int], starts: [Int], work: inout Workspace) {
        let h = configuration.hiddenSize, i = configuration.intermediateSize, t = work.tokens
        let epsilon = configuration.layerNormEpsilon
        Self.linear(
            work.hidden, rows: t, inputs: h, layer.queryKeyValue, outputs: 3 * h, into: &work.queryKeyValue,
            onto: layer.queryKeyValueBias)
        attention(lengths: lengths, starts: starts, work: &work)
        Self.linear(work.intermediate, rows: t, inputs: h, layer.attentionOutput, outputs: h, into: &work.hidden)
        Self.layerNorm(
            &work.hidden, plus: nil, bias: layer.attentionOutputBias, rows: t, columns: h,
            scale: layer.attentionNormScale, shift: layer.attentionNormShift, epsilon: epsilon)
        Self.linear(
            work.hidden, rows: t, inputs: h, layer.intermediate, outputs: i, into: &work.intermediate,
            onto: layer.intermediateBias)
        Self.gelu(&work.intermediate, rows: t, columns: i, zeros: weights.zeros)
        Self.linear(work.intermediate, rows: t, inputs: i, layer.output, outputs: h, into: &work.hidden)
        Self.layerNorm(
            &work.hidden, plus: nil, bias: layer.outputBias, rows: t, columns: h,
            scale: layer.outputNormScale, shift: layer.outputNormShift, epsilon: epsilon)
    }

    /// Scaled dot-product attention (Vaswani et al., "Attention Is All You Need", NeurIPS 2017)
    /// per text, written into the first `tokens × h` floats of `work.intermediate` (free until the
    /// feed-forward step). Texts run in parallel, each on one thread with its own scratch buffer:
    /// their products are small, and a multi-threaded BLAS under each would fight for the cores.
    private func attention(lengths: [Int], starts: [Int], work: inout Workspace) {
        let h = configuration.hiddenSize, d = configuration.headSize, heads = configuration.heads
        let scale = 1 / Float(d).squareRoot()
        work.queryKeyValue.withUnsafeBufferPointer { qkvBuffer in
            work.intermediate.withUnsafeMutableBufferPointer { contextBuffer in
                nonisolated(unsafe) let qkv = qkvBuffer.baseAddress!
                nonisolated(unsafe) let context = contextBuffer.baseAddress!
                Parallel.forEach(lengths.count) { text in
                    let scratch = UnsafeMutablePointer<Float>.allocate(
                        capacity: kindred_attention_scratch(lengths[text], d))
                    defer { scratch.deallocate() }
                    kindred_attention(
                        -1, qkv + starts[text] * 3 * h, 3 * h, lengths[text], heads, d, h, scale,
                        context + starts[text] * h, h, scratch)
                }
            }
        }
    }

    /// `output += input·weightᵀ` for a row-major `rows × inputs` input and an `outputs × inputs`
    /// weight; with `bias`, each row of `output` is first set to it instead. Adding onto what
    /// `output` holds (the residual, the bias) saves the BLAS its zeroing pass and Kindred a pass
    /// of its own.
    static func linear(
        _ input: [Float], rows: Int, inputs: Int, _ weight: [Float], outputs: Int, into output: inout [Float],
        onto bias: [Float]? = nil
    ) {
        input.withUnsafeBufferPointer { a in
            weight.withUnsafeBufferPointer { w in
                output.withUnsafeMutableBufferPointer { c in
                    if let bias {
                        bias.withUnsafeBufferPointer { b in
                            for row in 0..<rows {
                                (c.baseAddress! + row * outputs).update(from: b.baseAddress!, count: outputs)
                            }
                        }
                    }
                    BLAS.gemm(
                        transposeA: false, transposeB: true, m: rows, n: outputs, k: inputs,
                        a: a.baseAddress!, lda: inputs, b: w.baseAddress!, ldb: inputs, beta: 1, c: c.baseAddress!,
                        ldc: outputs)
                }
            }
        }
    }

    /// `hidden[r] = LayerNorm(hidden[r] + update[r] + bias)·scale + shift` for every row, in parallel.
    static func layerNorm(
        _ hidden: inout [Float], plus update: [Float]?, bias: [Float], rows: Int, columns: Int,
        scale: [Float], shift: [Float], epsilon: Float
    ) {
        hidden.withUnsafeMutableBufferPointer { x in
            nonisolated(unsafe) let x = x.baseAddress!
            (update ?? []).withUnsafeBufferPointer { u in
                nonisolated(unsafe) let u = update == nil ? nil : u.baseAddress
                bias.withUnsafeBufferPointer { b in
                    scale.withUnsafeBufferPointer { g in
                        shift.withUnsafeBufferPointer { s in
                            elementwise(rows: rows) { range in
                                let offset = range.lowerBound * columns
                                kindred_add_layer_norm(
                                    -1, x + offset, u.map { $0 + offset }, b.baseAddress!, range.count, columns,
                                    g.baseAddress!, s.baseAddress!, epsilon)
                            }
                        }
                    }
                }
            }
        }
    }

    /// `x = GELU(x)` element-wise, in parallel (`zeros`: `columns` zeros, the kernel's bias).
    static func gelu(_ x: inout [Float], rows: Int, columns: Int, zeros: [Float]) {
        x.withUnsafeMutableBufferPointer { x in
            nonisolated(unsafe) let x = x.baseAddress!
            zeros.withUnsafeBufferPointer { b in
                elementwise(rows: rows) { range in
                    kindred_bias_gelu(-1, x + range.lowerBound * columns, b.baseAddress!, range.count, columns)
                }
            }
        }
    }

    /// Runs `body` on row ranges in parallel when there are enough rows to pay for it.
    static func elementwise(rows: Int, _ body: (Range<Int>) -> Void) {
        if rows < 256 { return body(0..<rows) }
        Parallel.forEachChunk(of: rows, body)
    }

    /// The mean of each text's token rows, scaled to unit length.
    private func pool(_ hidden: [Float], lengths: [Int], starts: [Int]) -> [Float] {
        let h = configuration.hiddenSize
        var output = [Float](repeating: 0, count: lengths.count * h)
        for (text, length) in lengths.enumerated() {
            var sum = [Double](repeating: 0, count: h)
            for row in starts[text]..<(starts[text] + length) {
                for c in 0..<h { sum[c] += Double(hidden[row * h + c]) }
            }
            let norm = sum.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let inverse = norm > 0 ? 1 / norm : 0
            for c in 0..<h { output[text * h + c] = Float(sum[c] * inverse) }
        }
        return output
    }
}
