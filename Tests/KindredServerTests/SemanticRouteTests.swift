import Foundation
import HummingbirdTesting
import KindredAPI
import KindredEncoder
import KindredEngine
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
            try await client.execute(uri: "/v1/status", method: .get) { response in
                #expect((response.json["semantic"] as? String)?.hasPrefix("on (all-MiniLM-L6-v2") == true)
            }
        }
    }
}
