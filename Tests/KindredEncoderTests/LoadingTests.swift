import Foundation
import KindredEncoder
import Testing

/// Bad encoder folders are refused with an error that names the file and the fault, and never
/// load as garbage weights.
@Suite struct LoadingTests {
    /// A scratch folder holding the real encoder's files (the weights linked, not copied), which
    /// each test then damages in one way.
    static func copy(_ name: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "kindred-encoder-\(name)-\(getpid())")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let source = URL(fileURLWithPath: EncoderTestFiles.encoderDirectory)
        try FileManager.default.copyItem(
            at: source.appendingPathComponent("config.json"), to: folder.appendingPathComponent("config.json"))
        try FileManager.default.copyItem(
            at: source.appendingPathComponent("vocab.txt"), to: folder.appendingPathComponent("vocab.txt"))
        try FileManager.default.createSymbolicLink(
            at: folder.appendingPathComponent("model.safetensors"),
            withDestinationURL: source.appendingPathComponent("model.safetensors"))
        return folder.path
    }

    static func refusal(_ directory: String, checksum: String? = nil) -> EncoderError? {
        do {
            _ = try SentenceEncoder(directory: directory, expectedChecksum: checksum)
            return nil
        } catch { return error }
    }

    @Test func aMissingFolderOrFileIsNamed() throws {
        _ = try EncoderTestFiles.loadedEncoder()
        #expect(Self.refusal("/nonexistent/encoder")?.code == .missingFile)
        let folder = try Self.copy("missing")
        try FileManager.default.removeItem(atPath: folder + "/model.safetensors")
        let error = Self.refusal(folder)
        #expect(error?.code == .missingFile)
        #expect(error?.message.contains("model.safetensors") == true)
    }

    @Test func truncatedWeightsAreRefused() throws {
        _ = try EncoderTestFiles.loadedEncoder()
        let folder = try Self.copy("truncated")
        let weights = try Data(contentsOf: URL(fileURLWithPath: folder + "/model.safetensors"))
        try FileManager.default.removeItem(atPath: folder + "/model.safetensors")
        try weights.prefix(weights.count / 2).write(to: URL(fileURLWithPath: folder + "/model.safetensors"))
        let error = Self.refusal(folder)
        #expect(error?.code == .corruptFile)
        #expect(error?.message.contains("truncated") == true)
        try Data("not a safetensors file".utf8).write(to: URL(fileURLWithPath: folder + "/model.safetensors"))
        #expect(Self.refusal(folder)?.code == .corruptFile)
    }

    @Test func anotherArchitectureIsRefused() throws {
        _ = try EncoderTestFiles.loadedEncoder()
        let folder = try Self.copy("architecture")
        let path = folder + "/config.json"
        let config = try String(contentsOfFile: path, encoding: .utf8)
        try config.replacingOccurrences(of: "\"model_type\": \"bert\"", with: "\"model_type\": \"gpt2\"")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let error = Self.refusal(folder)
        #expect(error?.code == .unsupportedArchitecture)
        #expect(error?.message.contains("gpt2") == true)
        try config.replacingOccurrences(of: "\"num_hidden_layers\": 6", with: "\"num_hidden_layers\": 12")
            .write(toFile: path, atomically: true, encoding: .utf8)
        #expect(Self.refusal(folder)?.code == .unsupportedArchitecture, "a 12-layer config over 6 layers of weights")
        try "{ not json".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(Self.refusal(folder)?.code == .corruptFile)
    }

    @Test func aVocabularyOfAnotherModelIsRefused() throws {
        _ = try EncoderTestFiles.loadedEncoder()
        let folder = try Self.copy("vocabulary")
        let path = folder + "/vocab.txt"
        let vocabulary = try String(contentsOfFile: path, encoding: .utf8)
        try (vocabulary + "extra-token\n").write(toFile: path, atomically: true, encoding: .utf8)
        let error = Self.refusal(folder)
        #expect(error?.code == .vocabularyMismatch)
        #expect(error?.message.contains("30523") == true)
    }

    @Test func aDifferentChecksumIsRefusedAndTheRightOneAccepted() throws {
        let encoder = try EncoderTestFiles.loadedEncoder()
        #expect(encoder.identity.name == "all-MiniLM-L6-v2")
        #expect(encoder.identity.checksum.count == 32)
        let error = Self.refusal(EncoderTestFiles.encoderDirectory, checksum: String(repeating: "0", count: 32))
        #expect(error?.code == .checksumMismatch)
        #expect(Self.refusal(EncoderTestFiles.encoderDirectory, checksum: encoder.identity.checksum) == nil)
    }

    @Test func wordPieceLimitsOutsideThePositionTableAreRefused() throws {
        let encoder = try EncoderTestFiles.loadedEncoder()
        #expect(throws: EncoderError.self) { try encoder.checkMaxTokens(513) }
        #expect(throws: EncoderError.self) { try encoder.checkMaxTokens(2) }
        try encoder.checkMaxTokens(128)
    }
}
