import CKindredKernels
import Foundation
import Testing

/// The element-wise kernels against libm, on every build this CPU runs (baseline and AVX2): their
/// polynomial exp and erf must stay within float rounding of the exact functions.
@Suite struct TransformerKernelTests {
    static let levels: [Int32] = [0, 1].filter { kindred_transformer_kernel_runs($0) != 0 }

    @Test(arguments: levels) func geluMatchesErfGELU(level: Int32) {
        let inputs = stride(from: Float(-12), through: 12, by: 0.0137).map { $0 }
        var x = inputs
        let bias = [Float](repeating: 0.25, count: x.count)
        kindred_bias_gelu(level, &x, bias, 1, x.count)
        for (i, input) in inputs.enumerated() {
            let v = Double(input + 0.25)
            let exact = 0.5 * v * (1 + erf(v / 2.0.squareRoot()))
            #expect(abs(Double(x[i]) - exact) <= 2e-6 * max(1, abs(exact)), "gelu(\(v)) = \(x[i]), exact \(exact)")
        }
    }

    @Test(arguments: levels) func softmaxMatchesExp(level: Int32) {
        let columns = 37, stride = 40
        var x = (0..<(3 * stride)).map { Float(sin(Double($0) * 1.7) * 30) }
        let original = x
        kindred_softmax_rows(level, &x, 3, columns, stride)
        for row in 0..<3 {
            let values = original[(row * stride)..<(row * stride + columns)].map(Double.init)
            let top = values.max()!
            let sum = values.reduce(0) { $0 + exp($1 - top) }
            for j in 0..<columns {
                let exact = exp(values[j] - top) / sum
                #expect(abs(Double(x[row * stride + j]) - exact) <= 1e-6 * max(exact, 1e-3))
            }
            // The padding between rows is left alone.
            for j in columns..<stride where row < 2 { #expect(x[row * stride + j] == original[row * stride + j]) }
        }
    }

    @Test(arguments: levels) func layerNormNormalisesTheSum(level: Int32) {
        let columns = 384
        var hidden = (0..<(2 * columns)).map { Float(cos(Double($0) * 0.31)) * 3 }
        let update = (0..<(2 * columns)).map { Float(sin(Double($0) * 0.17)) }
        let bias = [Float](repeating: 0.5, count: columns)
        let gamma = (0..<columns).map { 1 + Float($0) / 1000 }
        let beta = [Float](repeating: -0.1, count: columns)
        let before = hidden
        kindred_add_layer_norm(level, &hidden, update, bias, 2, columns, gamma, beta, 1e-12)
        for row in 0..<2 {
            let sums = (0..<columns).map { Double(before[row * columns + $0] + update[row * columns + $0] + 0.5) }
            let mean = sums.reduce(0, +) / Double(columns)
            let variance = sums.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(columns)
            for j in 0..<columns {
                let exact = (sums[j] - mean) / variance.squareRoot() * Double(gamma[j]) - 0.1
                #expect(abs(Double(hidden[row * columns + j]) - exact) < 1e-4)
            }
        }
    }

    /// Attention over lengths that are and aren't multiples of the kernel's blocks, against a
    /// plain double-precision softmax(Q·Kᵀ/√d)·V.
    @Test(arguments: levels) func attentionMatchesTheDefinition(level: Int32) {
        let heads = 3, d = 32, hidden = heads * d, stride = 3 * hidden
        for length in [1, 2, 7, 8, 13, 64, 130] {
            let qkv = (0..<(length * stride)).map { Float(sin(Double($0) * 0.37 + Double(length))) }
            var context = [Float](repeating: .nan, count: length * hidden)
            var scratch = [Float](repeating: .nan, count: kindred_attention_scratch(length, d))
            let scale = 1 / Float(d).squareRoot()
            kindred_attention(level, qkv, stride, length, heads, d, hidden, scale, &context, hidden, &scratch)
            var worst = 0.0
            for h in 0..<heads {
                for i in 0..<length {
                    let scores = (0..<length).map { j in
                        (0..<d).reduce(0.0) {
                            $0 + Double(qkv[i * stride + h * d + $1]) * Double(qkv[j * stride + hidden + h * d + $1])
                        }
                            * Double(scale)
                    }
                    let top = scores.max()!
                    let weights = scores.map { exp($0 - top) }
                    let total = weights.reduce(0, +)
                    for c in 0..<d {
                        let exact = (0..<length).reduce(0.0) {
                            $0 + weights[$1] / total * Double(qkv[$1 * stride + 2 * hidden + h * d + c])
                        }
                        worst = max(worst, abs(exact - Double(context[i * hidden + h * d + c])))
                    }
                }
            }
            #expect(worst < 1e-5, "length \(length): largest error \(worst)")
        }
    }

    @Test func theChosenBuildIsOneThisCPURuns() {
        let name = String(cString: kindred_transformer_kernel())
        #expect(["baseline", "avx2"].contains(name))
        #expect(kindred_transformer_kernel_runs(name == "avx2" ? 1 : 0) != 0)
    }
}
