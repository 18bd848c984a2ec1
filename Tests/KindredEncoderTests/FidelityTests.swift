import Foundation
import KindredEncoder
import KindredLinearAlgebra
import Testing

/// Kindred's encoder against sentence-transformers on the same files: the reference's word-piece
/// ids exactly, and its vectors to a cosine of 0.999 (float16 storage of the reference costs
/// about 1e-7 of that).
@Suite struct FidelityTests {
    @Test func tokenizerIDsEqualTheReferenceForEveryText() throws {
        let encoder = try EncoderTestFiles.loadedEncoder()
        let reference = EncoderTestFiles.reference
        var mismatches: [String] = []
        for (text, expected) in zip(reference.texts, reference.ids) {
            let ids = encoder.tokenizer.ids(text, maxTokens: 512)
            if ids != expected {
                mismatches.append("\(text.prefix(60).debugDescription): \(ids.prefix(20)) vs \(expected.prefix(20))")
            }
        }
        #expect(
            mismatches.isEmpty,
            "\(mismatches.count) of \(reference.texts.count) texts differ:\n\(mismatches.prefix(10).joined(separator: "\n"))"
        )
    }

    @Test func truncationKeepsTheFirstPiecesAndTheSeparator() throws {
        let encoder = try EncoderTestFiles.loadedEncoder()
        for (text, full) in zip(EncoderTestFiles.reference.texts, EncoderTestFiles.reference.ids) where full.count > 128
        {
            let cut = encoder.tokenizer.ids(text, maxTokens: 128)
            #expect(cut.count == 128)
            #expect(Array(cut.prefix(127)) == Array(full.prefix(127)))
            #expect(cut.last == encoder.tokenizer.separatorID)
        }
    }

    @Test func vectorsMatchTheReference() throws {
        let encoder = try EncoderTestFiles.loadedEncoder()
        let reference = EncoderTestFiles.reference
        let expected = reference.vectorRows(dimension: encoder.dimension)
        let vectors = encoder.encode(reference.texts, maxTokens: reference.max_tokens)
        var worst: (Float, String) = (1, "")
        for (i, text) in reference.texts.enumerated() {
            let cosine = EncoderTestFiles.cosine(vectors.row(i), expected[i])
            if cosine < worst.0 { worst = (cosine, String(text.prefix(60))) }
        }
        #expect(worst.0 >= 0.999, "worst cosine \(worst.0) on \(worst.1.debugDescription)")
    }

    @Test func batchesGiveTheSameVectorsAsOneTextAtATime() throws {
        let encoder = try EncoderTestFiles.loadedEncoder()
        let texts = Array(EncoderTestFiles.reference.texts.suffix(12))
        let together = encoder.encode(texts)
        for (i, text) in texts.enumerated() {
            let alone = encoder.encode([text])
            #expect(EncoderTestFiles.cosine(alone.row(0), together.row(i)) > 0.99999)
        }
    }

    @Test func vectorsAreUnitLength() throws {
        let encoder = try EncoderTestFiles.loadedEncoder()
        let vectors = encoder.encode(["", "Xiaomi 17 Ultra", String(repeating: "word ", count: 20_000)])
        for i in 0..<vectors.rows {
            let norm = vectors.row(i).reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(norm - 1) < 1e-4)
        }
    }
}
