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
        Self.linear(work.hidden, rows: t, inputs: h, layer.queryKeyValue, outputs: 3 * h, into: &work.queryKeyValue)
        Self.addBias(&work.queryKeyValue, layer.queryKeyValueBias, rows: t, columns: 3 * h, gelu: false)
        attention(lengths: lengths, starts: starts, work: &work)
        Self.linear(work.intermediate, rows: t, inputs: h, layer.attentionOutput, outputs: h, into: &work.update)
        Self.layerNorm(
            &work.hidden, plus: work.update, bias: layer.attentionOutputBias, rows: t, columns: h,
            scale: layer.attentionNormScale, shift: layer.attentionNormShift, epsilon: epsilon)
        Self.linear(work.hidden, rows: t, inputs: h, layer.intermediate, outputs: i, into: &work.intermediate)
        Self.addBias(&work.intermediate, layer.intermediateBias, rows: t, columns: i, gelu: true)
        Self.linear(work.intermediate, rows: t, inputs: i, layer.output, outputs: h, into: &work.update)
        Self.layerNorm(
            &work.hidden, plus: work.update, bias: layer.outputBias, rows: t, columns: h,
            scale: layer.outputNormScale, shift: layer.outputNormShift, epsilon: epsilon)
    }

    /// Scaled dot-product attention (Vaswani et al., "Attention Is All You Need", NeurIPS 2017)
    /// per text and head, written into the first `tokens × h` floats of `work.intermediate`
    /// (free until the feed-forward step). Texts run in parallel, each with its own score buffer.
    private func attention(lengths: [Int], starts: [Int], work: inout Workspace) {
        let h = configuration.hiddenSize, d = configuration.headSize, heads = configuration.heads
        let stride = 3 * h
        let scale = 1 / Float(d).squareRoot()
        let longest = lengths.max() ?? 0
        work.queryKeyValue.withUnsafeBufferPointer { qkvBuffer in
            work.intermediate.withUnsafeMutableBufferPointer { contextBuffer in
                let qkv = qkvBuffer.baseAddress!
                nonisolated(unsafe) let context = contextBuffer.baseAddress!
                Parallel.forEach(lengths.count) { text in
                    let length = lengths[text], first = starts[text]
                    let scores = UnsafeMutablePointer<Float>.allocate(capacity: longest * longest)
                    defer { scores.deallocate() }
                    for head in 0..<heads {
                        let query = qkv + first * stride + head * d
                        BLAS.gemm(
                            transposeA: false, transposeB: true, m: length, n: length, k: d, alpha: scale,
                            a: query, lda: stride, b: query + h, ldb: stride, c: scores, ldc: length)
                        kindred_softmax_rows(-1, scores, length, length, length)
                        BLAS.gemm(
                            transposeA: false, transposeB: false, m: length, n: d, k: length,
                            a: scores, lda: length, b: query + 2 * h, ldb: stride,
                            c: context + first * h + head * d, ldc: h)
                    }
                }
            }
        }
    }

    /// `output = input·weightᵀ` for a row-major `rows × inputs` input and an `outputs × inputs` weight.
    static func linear(
        _ input: [Float], rows: Int, inputs: Int, _ weight: [Float], outputs: Int, into output: inout [Float]
    ) {
        input.withUnsafeBufferPointer { a in
            weight.withUnsafeBufferPointer { w in
                output.withUnsafeMutableBufferPointer { c in
                    BLAS.gemm(
                        transposeA: false, transposeB: true, m: rows, n: outputs, k: inputs,
                        a: a.baseAddress!, lda: inputs, b: w.baseAddress!, ldb: inputs, c: c.baseAddress!, ldc: outputs)
                }
            }
        }
    }

    /// `hidden[r] = LayerNorm(hidden[r] + update[r] + bias)·scale + shift` for every row, in parallel.
    static func layerNorm(
        _ hidden: inout [Float], plus update: [Float], bias: [Float], rows: Int, columns: Int,
        scale: [Float], shift: [Float], epsilon: Float
    ) {
        hidden.withUnsafeMutableBufferPointer { x in
            nonisolated(unsafe) let x = x.baseAddress!
            update.withUnsafeBufferPointer { u in
                bias.withUnsafeBufferPointer { b in
                    scale.withUnsafeBufferPointer { g in
                        shift.withUnsafeBufferPointer { s in
                            elementwise(rows: rows) { range in
                                let offset = range.lowerBound * columns
                                kindred_add_layer_norm(
                                    -1, x + offset, u.baseAddress! + offset, b.baseAddress!, range.count, columns,
                                    g.baseAddress!, s.baseAddress!, epsilon)
                            }
                        }
                    }
                }
            }
        }
    }

    /// `x[r] += bias` for every row, then GELU when `gelu`, in parallel.
    static func addBias(_ x: inout [Float], _ bias: [Float], rows: Int, columns: Int, gelu: Bool) {
        x.withUnsafeMutableBufferPointer { x in
            nonisolated(unsafe) let x = x.baseAddress!
            bias.withUnsafeBufferPointer { b in
                elementwise(rows: rows) { range in
                    let start = x + range.lowerBound * columns
                    if gelu {
                        kindred_bias_gelu(-1, start, b.baseAddress!, range.count, columns)
                    } else {
                        kindred_add_bias(-1, start, b.baseAddress!, range.count, columns)
                    }
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
