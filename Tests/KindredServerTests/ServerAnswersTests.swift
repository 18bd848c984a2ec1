import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import KindredServer

/// What the server returns for the sample corpus, request by request, against
/// `Tests/Fixtures/server-answers.json`: ids in order, reasons, `complete` and `below_floor`,
/// explanations, every key. Scores may move by 0.002 (single-precision sums on other CPUs); the
/// `model` object is left out (it names the build). Re-record with `KINDRED_UPDATE_GOLDEN=1` after
/// a change meant to alter answers, and read the diff.
@Suite("The server's answers on the sample corpus")
struct ServerAnswersTests {
    static let file = Fixture.root.appendingPathComponent("Tests/Fixtures/server-answers.json")
    static let referenceTime = "2026-04-01T00:00:00Z"

    /// Requests: by id with the defaults, with each kind of control, and drafts (JSON bodies).
    static let requests: [(path: String, body: String?)] = {
        let ids = [
            "leica-red-dot-leitzphone", "xiaomi-tag-find-my", "football-derby-result", "europe-heatwave-2025",
            "apple-watch-hypertension", "nvidia-record-quarter", "bundesliga-spitzenspiel", "musee-reouverture",
        ]
        var requests: [(String, String?)] = ids.map { ("/v1/articles/\($0)/related", nil) }
        let base = "/v1/articles/leica-red-dot-leitzphone/related?"
        requests += [
            base + "k=5&explain=true", base + "k=5&half_life=7&freshness=0.5&reference_time=\(referenceTime)",
            base + "k=5&diversity=0.7", base + "k=5&section=wearables&min_score=-1",
            base + "k=5&language=any&dedupe=off",
            base + "k=20&fallback=section&min_score=0.3", base + "k=5&max_age=30d&reference_time=\(referenceTime)",
        ].map { ($0, nil) }
        requests += [
            #"{"title": "Xiaomi tracker", "body": "A tag that works with Apple Find My and Google Find Hub"}"#,
            #"{"body": "Temperatures above 40 degrees in Spain as Europe bakes", "k": 5, "explain": true}"#,
            #"{"like": ["xiaomi-17-ultra-launch", "xiaomi-tag-find-my"], "unlike": ["xiaomi-su7-deliveries"]}"#,
            #"{"body": "Ein Spitzenspiel in der Bundesliga", "language": "de", "results_language": "any"}"#,
        ].map { ("/v1/related", $0) }
        return requests
    }()

    func answers() async throws -> [[String: Any]] {
        let collected = Collected<(status: Int, body: Data)>()
        try await Fixture.withServer { client, _, _ in
            for (path, body) in Self.requests {
                try await client.execute(
                    uri: path, method: body == nil ? .get : .post, headers: body == nil ? [:] : jsonHeaders,
                    body: body.map { ByteBuffer(string: $0) }
                ) { response in
                    collected.append((Int(response.status.code), Data(response.body.readableBytesView)))
                }
            }
        }
        return zip(Self.requests, collected.all).map { request, response in
            var json = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:]
            json["model"] = nil
            var answer: [String: Any] = ["request": request.path, "status": response.status, "answer": json]
            if let body = request.body { answer["body"] = body }
            return answer
        }
    }

    @Test("every answer matches the golden file (scores within 0.002)")
    func golden() async throws {
        let current = try await answers()
        if ProcessInfo.processInfo.environment["KINDRED_UPDATE_GOLDEN"] == "1" {
            try JSONSerialization.data(
                withJSONObject: current, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            )
            .write(to: Self.file)
        }
        let stored = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: Self.file)) as? [[String: Any]])
        #expect(stored.count == current.count)
        for (expected, actual) in zip(stored, current) {
            var differences: [String] = []
            Self.compare(expected, actual, at: "\(expected["request"] ?? "?")", into: &differences)
            #expect(differences.isEmpty, "\(differences.prefix(5).joined(separator: "\n"))")
        }
    }

    /// Records where two JSON values differ: numbers by more than 0.002, anything else at all.
    static func compare(_ expected: Any, _ actual: Any, at path: String, into differences: inout [String]) {
        switch (expected, actual) {
        case (let a as [String: Any], let b as [String: Any]):
            if Set(a.keys) != Set(b.keys) {
                differences.append("\(path): keys \(a.keys.sorted()) ≠ \(b.keys.sorted())")
            }
            for (key, value) in a {
                if let other = b[key] { compare(value, other, at: path + "." + key, into: &differences) }
            }
        case (let a as [Any], let b as [Any]):
            if a.count != b.count { differences.append("\(path): \(a.count) items ≠ \(b.count)") }
            for (i, (x, y)) in zip(a, b).enumerated() { compare(x, y, at: path + "[\(i)]", into: &differences) }
        case (let a as Double, let b as Double) where !(expected is Bool):
            if abs(a - b) > 0.002 { differences.append("\(path): \(a) ≠ \(b)") }
        default:
            if "\(expected)" != "\(actual)" { differences.append("\(path): \(expected) ≠ \(actual)") }
        }
    }
}
