import Foundation
import Testing

/// `kindred embed` and `reindex --encoder` with the real encoder (scripts/fetch-encoder.sh).
@Suite struct EncoderCLITests {
    static let encoder = CLITests.root.appendingPathComponent("models/encoders/all-MiniLM-L6-v2").path

    @Test func embedPrintsOneUnitVectorPerArticleAndItsThroughput() throws {
        let directory = try CLITests().temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let corpus = directory + "/corpus.jsonl"
        try """
        {"id": "a", "title": "Xiaomi 17 Ultra", "body": "<p>A phone with a Leica camera &amp; a big battery.</p>"}
        {"id": "b", "title": "Football", "body": "The match ended two all."}
        not json
        """.write(toFile: corpus, atomically: true, encoding: .utf8)
        let run = try CLITests().kindred(["embed", "--corpus", corpus, "--encoder", Self.encoder])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        var vectors: [String: [Double]] = [:]
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            vectors[object["id"] as! String] = object["vector"] as? [Double]
        }
        for (id, vector) in vectors {
            #expect(vector.count == 384, "\(id)")
            #expect(abs(vector.reduce(0) { $0 + $1 * $1 } - 1) < 1e-4, "\(id) has unit length")
        }
        #expect(run.stderr.contains("invalid: "), "the bad line is reported")
        #expect(run.stderr.contains("articles/s") && run.stderr.contains("word pieces/s"))
    }

    @Test func embedExplainsAMissingEncoderAndABadLimit() throws {
        let missing = try CLITests().kindred(["embed", "--corpus", "corpus", "--encoder", "/nonexistent/encoder"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("scripts/fetch-encoder.sh"), "\(missing.stderr)")
        let limit = try CLITests().kindred(
            ["embed", "--corpus", "corpus", "--encoder", Self.encoder, "--encoder-max-tokens", "1000"])
        #expect(limit.status == 64, "\(limit.stderr)")
        #expect(limit.stderr.contains("--encoder-max-tokens must be between 8 and 512"), "\(limit.stderr)")
    }

    @Test func reindexWithAnEncoderEmbedsThenReusesAndInspectSaysSo() throws {
        let directory = try CLITests().temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let model = directory + "/model"
        let first = try CLITests().kindred(
            [
                "reindex", "--corpus", "corpus", "--model", model, "--encoder", Self.encoder, "--encoder-max-tokens",
                "32",
            ])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("semantic: embedded 82 article(s), reused 0"), "\(first.stderr)")
        let inspect = try CLITests().kindred(["inspect", "--model", model])
        #expect(inspect.stdout.contains("semantic: on (all-MiniLM-L6-v2, checksum "), "\(inspect.stdout)")
        #expect(inspect.stdout.contains("32 word pieces, 82 of 85 articles; related lists fused at 0.5"))
        #expect(inspect.stdout.contains("\"lists_semantic_weight\" : 0.5"), "\(inspect.stdout)")
        // KINDRED_ENCODER names the encoder as well as the flag does.
        let second = try CLITests().kindred(
            ["reindex", "--corpus", "corpus", "--model", model, "--encoder-max-tokens", "32"],
            environment: ["KINDRED_ENCODER": Self.encoder])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("semantic: embedded 0 article(s), reused 82"), "\(second.stderr)")
        // --semantic-weight 0 never loads the encoder it is given: words alone.
        let zero = try CLITests().kindred(
            ["reindex", "--corpus", "corpus", "--model", model, "--encoder", Self.encoder, "--semantic-weight", "0"])
        #expect(zero.status == 0, "\(zero.stderr)")
        #expect(!zero.stderr.contains("semantic:"), "\(zero.stderr)")
        let bad = try CLITests().kindred(["reindex", "--corpus", "corpus", "--model", model, "--semantic-weight", "2"])
        #expect(bad.status == 64 && bad.stderr.contains("--semantic-weight must be between 0 and 1; got 2.0"))
        // Without either, the build is on words alone.
        let plain = try CLITests().kindred(["reindex", "--corpus", "corpus", "--model", model])
        #expect(plain.status == 0)
        #expect(!plain.stderr.contains("semantic: embedded"))
        let off = try CLITests().kindred(["inspect", "--model", model])
        #expect(off.stdout.contains("semantic: off ("), "\(off.stdout)")
    }

    @Test func aDraftIsEmbeddedOnlyWithTheModelsOwnEncoder() throws {
        let directory = try CLITests().temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let model = directory + "/model"
        let build = try CLITests().kindred(
            [
                "reindex", "--corpus", "corpus", "--model", model, "--encoder", Self.encoder, "--encoder-max-tokens",
                "32",
            ])
        #expect(build.status == 0, "\(build.stderr)")
        let draft = [
            "similar", "--model", model, "--title", "Xiaomi tracker", "--text", "A tag for Find My", "-k", "3",
        ]
        let ok = try CLITests().kindred(draft + ["--encoder", Self.encoder])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("xiaomi-tag-find-my"), "\(ok.stdout)")
        // Same architecture and vocabulary, other files: another encoder's vectors.
        let other = directory + "/other-encoder"
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.encoder + "/vocab.txt", toPath: other + "/vocab.txt")
        try FileManager.default.createSymbolicLink(
            atPath: other + "/model.safetensors", withDestinationPath: Self.encoder + "/model.safetensors")
        let config = try String(contentsOfFile: Self.encoder + "/config.json", encoding: .utf8)
        try (config + "\n").write(toFile: other + "/config.json", atomically: true, encoding: .utf8)
        let refused = try CLITests().kindred(draft + ["--encoder", other])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("is not the one the model's vectors came from"), "\(refused.stderr)")
    }

    @Test func reindexRefusesADamagedEncoderAndLeavesTheModelAlone() throws {
        let directory = try CLITests().temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let encoder = directory + "/encoder"
        try FileManager.default.createDirectory(atPath: encoder, withIntermediateDirectories: true)
        for file in ["config.json", "vocab.txt"] {
            try FileManager.default.copyItem(atPath: Self.encoder + "/" + file, toPath: encoder + "/" + file)
        }
        try Data("truncated".utf8).write(to: URL(fileURLWithPath: encoder + "/model.safetensors"))
        let model = directory + "/model"
        #expect(try CLITests().kindred(["reindex", "--corpus", "corpus", "--model", model]).status == 0)
        let before = try FileManager.default.contentsOfDirectory(atPath: model).sorted()
        let run = try CLITests().kindred(["reindex", "--corpus", "corpus", "--model", model, "--encoder", encoder])
        #expect(run.status == 1)
        #expect(run.stderr.contains("model.safetensors is not a readable safetensors file"), "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: model).sorted() == before)
    }
}
