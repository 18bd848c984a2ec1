import Foundation
import HummingbirdTesting
import KindredAPI
import KindredEncoder
import KindredEngine
import KindredLinearAlgebra
import KindredServer
import Testing

/// A model built with the sentence encoder, served: by-id answers blend the semantic cosine at
/// the default weight, `semantic_weight=0` gives the words' answer, and the status says "on".
@Suite struct SemanticRouteTests {
    static let model: Model? = {
        guard
            let encoder = try? SentenceEncoder(
                directory: Fixture.root.appendingPathComponent("models/encoders/all-MiniLM-L6-v2").path)
        else { return nil }
        var builder = ModelBuilder()
        builder.semantic = SemanticBuild(encoder: encoder, maxTokens: 64)
        return try? builder.build(Fixture.articles).model
    }()

    /// The scores of a short draft's top 3 at semantic weights 0 and 0.5.
    static func draftScores(_ client: some TestClientProtocol) async throws -> [[Double]] {
        var scores: [[Double]] = []
        for weight in [0.0, 0.5] {
            try await client.execute(
                uri: "/v1/related", method: .post, headers: jsonHeaders,
                body: jsonBody([
                    "title": "Leica", "body": "A red dot on a phone camera", "k": 3, "semantic_weight": weight,
                ])
            ) { response in
                #expect(response.status == .ok)
                scores.append((response.json["results"] as? [[String: Any]] ?? []).map { $0["score"] as! Double })
            }
        }
        return scores
    }

    /// `model` published in a fresh directory (removed afterwards), and a configuration that
    /// serves it with its encoder.
    static func withEncoder(
        _ model: Model, _ body: (_ directory: String, _ configuration: ServerConfiguration) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kindred-semantic-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try ModelDirectory(path: directory).publish(model)
        var configuration = ServerConfiguration(port: 0, modelDirectory: directory)
        configuration.encoder = try SentenceEncoder(
            directory: Fixture.root.appendingPathComponent("models/encoders/all-MiniLM-L6-v2").path)
        try await body(directory, configuration)
    }

    @Test func draftsAreEmbeddedWithTheModelsEncoder() async throws {
        let model = try #require(Self.model, "no encoder: run scripts/fetch-encoder.sh")
        try await Self.withEncoder(model) { directory, configuration in
            let (app, _) = try Fixture.application(directory: directory, configuration: configuration)
            // The draft is an article's own text: its meaning is that article's vector, so the fused
            // scores of the others are what the article's own by-id list gives them.
            let article = try #require(Fixture.articles.first { $0.id == "xiaomi-17-ultra-launch" })
            let row = try #require(model.row(of: article.id))
            try await app.test(.router) { client in
                var scores: [Double: [String: Double]] = [:]
                for weight in [0.0, 0.5] {
                    try await client.execute(
                        uri: "/v1/related", method: .post, headers: jsonHeaders,
                        body: jsonBody([
                            "title": article.title, "body": article.body, "k": 10, "min_score": -1, "dedupe": "off",
                            "semantic_weight": weight, "exclude": [article.id],
                        ])
                    ) { response in
                        #expect(response.status == .ok, "\(response.text)")
                        for result in response.json["results"] as? [[String: Any]] ?? [] {
                            scores[weight, default: [:]][result["id"] as! String] = result["score"] as? Double
                        }
                    }
                }
                let both = Set(scores[0.0, default: [:]].keys).intersection(scores[0.5, default: [:]].keys)
                #expect(both.count >= 3, "\(scores)")
                for id in both {
                    let other = try #require(model.row(of: id))
                    let meaning = try #require(model.semantic?.cosine(model.semanticVector(row: row)!, row: other))
                    let expected = 0.5 * scores[0.0]![id]! + 0.5 * Double(meaning)
                    #expect(abs(scores[0.5]![id]! - expected) < 1e-3, "\(id)")
                }
            }
        }
    }

    @Test func byIDBlendsMeaningUnlessTheWeightIsZero() async throws {
        let model = try #require(Self.model, "no encoder: run scripts/fetch-encoder.sh")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kindred-semantic-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try ModelDirectory(path: directory).publish(model)
        let (app, _) = try Fixture.application(directory: directory)
        let row = try #require(model.row(of: "leica-red-dot-leitzphone"))
        try await app.test(.router) { client in
            let uri = "/v1/articles/leica-red-dot-leitzphone/related?k=5&min_score=-1&dedupe=off"
            var fused: [[String: Any]] = []
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == .ok)
                fused = response.json["results"] as? [[String: Any]] ?? []
            }
            #expect(fused.count == 5)
            for result in fused {
                let other = try #require(model.row(of: result["id"] as! String))
                let expected = try #require(
                    model.similarity(row: row, to: other, semanticWeight: RelatedQuery.defaultSemanticWeight))
                #expect(abs((result["score"] as! Double) - Double(expected)) < 1e-3)
            }
            try await client.execute(uri: uri + "&semantic_weight=0", method: .get) { response in
                for result in response.json["results"] as? [[String: Any]] ?? [] {
                    let other = model.row(of: result["id"] as! String)!
                    #expect(abs((result["score"] as! Double) - Double(model.similarity(row: row, to: other)!)) < 1e-3)
                }
            }
            try await client.execute(uri: uri + "&semantic_weight=2", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(response.text.contains("semantic_weight must be between 0 and 1"))
            }
            // Without the encoder in the configuration, a draft ranks on words alone.
            let draftScores = try await Self.draftScores(client)
            #expect(draftScores.count == 2 && draftScores[0] == draftScores[1] && !draftScores[0].isEmpty)
            try await client.execute(uri: "/v1/status", method: .get) { response in
                #expect((response.json["semantic"] as? String)?.hasPrefix("on (all-MiniLM-L6-v2") == true)
            }
        }
    }

    /// A write is embedded once, when it is taken: its meaning is the one a build gives the same
    /// text, it blends into its own answers and into the model articles' (lists included), and a
    /// restart without the encoder replays it from the journal line.
    @Test func writesAreEmbeddedWhenWrittenAndReplayedFromTheJournal() async throws {
        let model = try #require(Self.model, "no encoder: run scripts/fetch-encoder.sh")
        try await Self.withEncoder(model) { directory, configuration in
            let (app, store) = try Fixture.application(directory: directory, configuration: configuration)
            let source = try #require(Fixture.articles.first { $0.id == "xiaomi-17-ultra-launch" })
            let row = try #require(model.row(of: source.id))
            let sourceMeaning = try #require(model.semanticVector(row: row))
            try await app.test(.router) { client in
                try await client.execute(
                    uri: "/v1/articles/launch-copy", method: .put, headers: jsonHeaders,
                    body: jsonBody(["title": source.title, "body": source.body, "body_format": "text"])
                ) { #expect($0.status == .created, "\($0.text)") }
                // The same text as a model article: the same meaning.
                let written = try #require(store.current.upserts.first { $0.metadata.id == "launch-copy" }?.meaning)
                #expect(Vector.dot(written, sourceMeaning) > 0.999)
                // Its own answer blends meaning: 0.5·words + 0.5·cosine for every result.
                var scores: [Double: [String: Double]] = [:]
                for weight in [0.0, 0.5] {
                    let uri = "/v1/articles/launch-copy/related?k=8&min_score=-1&dedupe=off&semantic_weight=\(weight)"
                    try await client.execute(uri: uri, method: .get) { response in
                        #expect(response.status == .ok, "\(response.text)")
                        for result in response.json["results"] as? [[String: Any]] ?? [] {
                            scores[weight, default: [:]][result["id"] as! String] = result["score"] as? Double
                        }
                    }
                }
                let both = Set(scores[0.0, default: [:]].keys).intersection(scores[0.5, default: [:]].keys)
                #expect(both.count >= 3, "\(scores)")
                for id in both where id != source.id {
                    let other = try #require(model.row(of: id))
                    let meaning = try #require(model.semantic?.cosine(written, row: other))
                    #expect(abs(scores[0.5]![id]! - (0.5 * scores[0.0]![id]! + 0.5 * Double(meaning))) < 1e-3, "\(id)")
                }
                // In a model article's answer (read from its fused list) the written article is fused too.
                try await client.execute(
                    uri: "/v1/articles/\(source.id)/related?k=5&min_score=-1&dedupe=off&explain=true", method: .get
                ) { response in
                    let results = response.json["results"] as? [[String: Any]] ?? []
                    let copy = results.first { $0["id"] as? String == "launch-copy" }
                    let explanation = copy?["explanation"] as? [String: Any]
                    let words = explanation?["words"] as? Double, meaning = explanation?["meaning"] as? Double
                    #expect(meaning.map { $0 > 0.999 } == true, "\(results)")
                    if let words, let meaning, let score = copy?["score"] as? Double {
                        #expect(abs(score - (0.5 * words + 0.5 * meaning)) < 1e-3)
                    }
                }
            }
            let written = store.current.upserts.first { $0.metadata.id == "launch-copy" }?.meaning
            // A sync's batch is embedded too.
            _ = try await store.apply([
                SourceChange(
                    id: "synced-copy", updatedAt: Date(),
                    operation: .put(
                        ReceivedArticle(text: Article(id: "synced-copy", title: source.title, body: source.body))))
            ])
            #expect(store.current.upserts.first { $0.metadata.id == "synced-copy" }?.meaning != nil)
            let journal = try String(contentsOfFile: directory + "/" + Journal.fileName, encoding: .utf8)
            #expect(journal.split(separator: "\n").count(where: { $0.contains(#""meaning":{"#) }) == 2)
            // A restart without an encoder reads the meanings back from the journal.
            let restarted = try ModelStore(directory: directory, logger: Fixture.logger)
            #expect(restarted.encoder == nil)
            let replayed = restarted.current.upserts.first { $0.metadata.id == "launch-copy" }?.meaning
            #expect(replayed == written)
            #expect(restarted.current.upserts.first { $0.metadata.id == "synced-copy" }?.meaning != nil)
        }
    }

    /// A nightly reindex that turns the channel on needs no restart: the reload that brings the
    /// model loads its encoder from the configured folder, and drafts and writes are embedded.
    @Test func aReloadThatTurnsTheChannelOnLoadsTheEncoder() async throws {
        let model = try #require(Self.model, "no encoder: run scripts/fetch-encoder.sh")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kindred-semantic-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let models = ModelDirectory(path: directory)
        try models.publish(model)
        // A words-only version published after it is the one served first.
        let words = try models.publish(try ModelBuilder().build(Fixture.articles).model)
        var configuration = ServerConfiguration(port: 0, modelDirectory: directory)
        configuration.encoderDirectory = Fixture.root.appendingPathComponent("models/encoders/all-MiniLM-L6-v2").path
        let (app, store) = try Fixture.application(directory: directory, configuration: configuration)
        #expect(store.current.model.semantic == nil && store.encoder == nil)
        try FileManager.default.removeItem(atPath: words)  // rolled back to the version with the channel
        _ = try await store.reload()
        #expect(store.current.model.semantic != nil)
        #expect(store.encoder?.identity.matches(try #require(model.semantic).encoder) == true)
        try await store.upsert(ReceivedArticle(text: Article(id: "late", title: "Leica", body: "A red dot on a phone")))
        #expect(store.current.upserts.first { $0.metadata.id == "late" }?.meaning != nil)
        try await app.test(.router) { client in
            let scores = try await Self.draftScores(client)
            #expect(scores.count == 2 && !scores[0].isEmpty && scores[0] != scores[1], "the draft was not embedded")
        }
    }
}
