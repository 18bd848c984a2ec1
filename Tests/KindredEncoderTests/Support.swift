import Foundation
import KindredEncoder

/// Where the encoder tests find their files: the weights that scripts/fetch-encoder.sh unpacks
/// (the test command fetches them first) and the reference vectors in Fixtures/.
enum EncoderTestFiles {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let encoderDirectory = root.appendingPathComponent("models/encoders/all-MiniLM-L6-v2").path

    /// The encoder, loaded once for all tests (loading reads 90 MB).
    static let encoder: Result<SentenceEncoder, EncoderError> = Result { () throws(EncoderError) in
        try SentenceEncoder(directory: encoderDirectory)
    }

    static func loadedEncoder() throws -> SentenceEncoder {
        do {
            return try encoder.get()
        } catch {
            throw TestFailure("\(error.message) — run scripts/fetch-encoder.sh to unpack the weights")
        }
    }

    /// sentence-transformers' output for the fixture texts (Benchmarks/encoder/reference.py).
    struct Reference: Decodable {
        let encoder: String
        let max_tokens: Int
        let texts: [String]
        let ids: [[Int32]]
        let vectors: String

        /// Row `i` of the reference vectors (stored as float16).
        func vectorRows(dimension: Int) -> [[Float]] {
            let bytes = Data(base64Encoded: vectors)!
            let halves: [Float16] = bytes.withUnsafeBytes { Array($0.bindMemory(to: Float16.self)) }
            return (0..<texts.count).map { i in halves[(i * dimension)..<((i + 1) * dimension)].map { Float($0) } }
        }
    }

    static let reference: Reference = {
        let url = root.appendingPathComponent("Tests/KindredEncoderTests/Fixtures/reference.json")
        return try! JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }()

    static func cosine(_ a: [Float], _ b: [Float]) -> Float {
        var dot: Float = 0, na: Float = 0, nb: Float = 0
        for i in a.indices {
            dot += a[i] * b[i]
            na += a[i] * a[i]
            nb += b[i] * b[i]
        }
        return dot / (na.squareRoot() * nb.squareRoot())
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
