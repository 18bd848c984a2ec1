import Foundation
import Hummingbird
import HummingbirdTesting
import KindredAPI
import KindredEngine
import Testing

@testable import KindredServer

@Suite("Ranking controls over HTTP")
struct RankingRouteTests {
    let leica = "/v1/articles/leica-red-dot-leitzphone"

    var results: (TestResponse) -> [[String: Any]] { { $0.json["results"] as? [[String: Any]] ?? [] } }

    @Test("explain=true adds the score's parts, shared terms and dimensions")
    func explain() async throws {
        try await Fixture.withServer { client, _, _ in
            try await client.execute(uri: leica + "/related?k=2&explain=true", method: .get) { response in
                #expect(response.status == .ok)
                let explanation = results(response).first?["explanation"] as? [String: Any] ?? [:]
                // The bundled model has no semantic vectors: no `meaning`, and a weight of 0.
                #expect(
                    Set(explanation.keys) == [
                        "lsa", "lexical", "headline", "freshness", "words", "semantic_weight", "shared_terms",
                        "dimensions",
                    ])
                #expect(explanation["semantic_weight"] as? Double == 0)
                let terms = (explanation["shared_terms"] as? [[String: Any]] ?? []).compactMap { $0["term"] as? String }
                #expect(terms.contains("xiaomi"))
                let dimensions = explanation["dimensions"] as? [[String: Any]] ?? []
                #expect(!dimensions.isEmpty && dimensions.allSatisfy { ($0["terms"] as? [String])?.isEmpty == false })
            }
            try await client.execute(uri: leica + "/related?k=2", method: .get) { response in
                #expect(results(response).allSatisfy { $0["explanation"] == nil })
            }
        }
    }

    @Test("exact=true is taken on both routes (the bundled model is searched exactly anyway); a bad value is a 400")
    func exact() async throws {
        try await Fixture.withServer { client, _, _ in
            var plain: [String] = []
            try await client.execute(uri: leica + "/related?k=4&dedupe=off", method: .get) { response in
                plain = results(response).compactMap { $0["id"] as? String }
            }
            try await client.execute(uri: leica + "/related?k=4&dedupe=off&exact=true", method: .get) { response in
                #expect(response.status == .ok)
                #expect(results(response).compactMap { $0["id"] as? String } == plain)
                #expect(plain.count == 4)
            }
            try await client.execute(uri: leica + "/related?exact=maybe", method: .get) { response in
                #expect(response.status == .badRequest)
            }
            let draft = jsonBody(["title": "Leica red dot phone", "exact": true])
            try await client.execute(uri: "/v1/related", method: .post, headers: jsonHeaders, body: draft) { response in
                #expect(response.status == .ok)
                #expect(!results(response).isEmpty)
            }
        }
    }

    @Test("a short list says so; the section fallback fills it, marked")
    func floorAndFallback() async throws {
        try await Fixture.withServer { client, _, _ in
            try await client.execute(uri: leica + "/related?k=12&min_score=0.3", method: .get) { response in
                #expect(response.json["complete"] as? Bool == false)
                #expect((response.json["below_floor"] as? Int ?? 0) > 0)
                #expect(results(response).count < 12)
            }
            try await client.execute(uri: leica + "/related?k=12&min_score=0.3&fallback=section", method: .get) {
                response in
                #expect(response.json["complete"] as? Bool == true)
                let reasons = results(response).compactMap { $0["reason"] as? String }
                #expect(reasons.count == 12 && reasons.contains("fallback") && reasons.first == "related")
            }
        }
    }

    @Test("freshness and max_age against a reference time")
    func freshness() async throws {
        try await Fixture.withServer { client, _, _ in
            let now = "reference_time=2026-03-11T00:00:00Z"
            try await client.execute(uri: leica + "/related?k=20&max_age=30d&\(now)", method: .get) { response in
                let dates = results(response).compactMap { $0["published_at"] as? String }
                #expect(!dates.isEmpty && dates.allSatisfy { $0 >= "2026-02-09" })
            }
            try await client.execute(
                uri: leica + "/related?k=5&half_life=7&freshness=1&explain=true&\(now)", method: .get
            ) { response in
                let factors = results(response).compactMap {
                    ($0["explanation"] as? [String: Any])?["freshness"] as? Double
                }
                #expect(factors.count == 5 && factors.allSatisfy { $0 > 0 && $0 <= 1 })
            }
        }
    }

    @Test("POST: several examples, negatives, results in any language, a draft's links flagged")
    func examples() async throws {
        try await Fixture.withServer { client, _, _ in
            let topic = jsonBody(["like": ["xiaomi-17-ultra-launch", "xiaomi-tag-find-my"], "k": 4])
            try await client.execute(uri: "/v1/related", method: .post, headers: jsonHeaders, body: topic) { response in
                #expect(response.status == .ok, "\(response.text)")
                #expect(response.resultIDs.contains("xiaomi-17-global-series"))
                #expect(!response.resultIDs.contains("xiaomi-tag-find-my"))
            }
            let pushed = jsonBody([
                "like": ["xiaomi-17-ultra-launch"], "unlike": ["leica-sl3-firmware"], "k": 84, "min_score": -1,
            ])
            try await client.execute(uri: "/v1/related", method: .post, headers: jsonHeaders, body: pushed) {
                response in
                #expect(response.status == .ok)
                #expect(!response.resultIDs.contains("leica-sl3-firmware"))
            }
            let draft = jsonBody([
                "title": "Leica and Xiaomi", "linked": "flag", "k": 3,
                "body": "Our launch story https://news.example.com/phones-cameras/xiaomi-17-ultra-launch says more.",
            ])
            try await client.execute(uri: "/v1/related", method: .post, headers: jsonHeaders, body: draft) { response in
                let linked = results(response).filter { $0["already_linked"] as? Bool == true }.compactMap {
                    $0["id"] as? String
                }
                #expect(linked == ["xiaomi-17-ultra-launch"])
            }
            let german = jsonBody([
                "title": "Derby", "body": "Der Trainer sprach nach der Pause", "language": "de", "k": 3,
                "min_score": -1,
            ])
            try await client.execute(uri: "/v1/related", method: .post, headers: jsonHeaders, body: german) {
                response in
                #expect(response.resultIDs == ["bundesliga-spitzenspiel"])
            }
            let mixed = jsonBody([
                "title": "Derby", "body": "Der Trainer sprach nach der Pause", "language": "de", "k": 3,
                "min_score": -1,
                "results_language": "any",
            ])
            try await client.execute(uri: "/v1/related", method: .post, headers: jsonHeaders, body: mixed) { response in
                #expect(response.resultIDs.count == 3)
            }
        }
    }

    @Test(
        "POST: bad examples and mistyped controls are 400 problems",
        arguments: [
            (#"{"like": "xiaomi-tag-find-my"}"#, "'like' must be an array"),
            (#"{"like": [{"title": "x", "colour": "red"}]}"#, "unknown field 'colour' in a 'like' text"),
            (#"{"like": [{"title": " "}]}"#, "needs a non-empty string 'title' or 'body'"),
            (#"{"like": [3]}"#, "must be a non-empty article id"),
            (#"{"like": ["no-such-story"]}"#, "no article with id 'no-such-story'"),
            (#"{"body": "x", "explain": "yes"}"#, "'explain' must be true or false"),
            (#"{"body": "x", "diversity": "high"}"#, "'diversity' must be a number"),
            (#"{"body": "x", "k": true}"#, "'k' must be an integer"),
            (#"{"body": "x", "links": "a"}"#, "'links' must be an array"),
            (#"{"body": "x", "language": "nope nope"}"#, "is not a BCP 47 tag"),
            (#"{"body": "x", "results_language": "nope nope"}"#, "results_language must be 'any' or a BCP 47 tag"),
        ])
    func badExamples(json: String, detail: String) async throws {
        try await Fixture.withServer { client, _, _ in
            try await client.execute(
                uri: "/v1/related", method: .post, headers: jsonHeaders, body: ByteBuffer(string: json)
            ) {
                response in
                #expect([.badRequest, .notFound].contains(response.status), "\(response.text)")
                #expect((response.json["detail"] as? String)?.contains(detail) == true, "\(response.text)")
            }
        }
    }

    @Test("overrides: PUT pins and blocks at once, GET reads them, DELETE removes; stored in overrides.json")
    func overrides() async throws {
        try await Fixture.withServer { client, store, directory in
            try await client.execute(uri: leica + "/overrides", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.json["pinned"] as? [String] == [])
            }
            let entry = jsonBody(["pinned": ["football-derby-result"], "blocked": ["xiaomi-17-ultra-launch"]])
            try await client.execute(uri: leica + "/overrides", method: .put, headers: jsonHeaders, body: entry) {
                response in
                #expect(response.status == .ok, "\(response.text)")
                #expect(response.json["blocked"] as? [String] == ["xiaomi-17-ultra-launch"])
            }
            try await client.execute(uri: leica + "/related?k=4", method: .get) { response in
                #expect(response.resultIDs.first == "football-derby-result")
                #expect(results(response).first?["reason"] as? String == "pinned")
                #expect(!response.resultIDs.contains("xiaomi-17-ultra-launch"))
                #expect(response.resultIDs.count == 4)
            }
            let stored = try ModelDirectory(path: directory).overrides()
            #expect(stored.entry(for: "leica-red-dot-leitzphone")?.pinned == ["football-derby-result"])
            // A reindex publishes a new version; the overrides stay.
            try ModelDirectory(path: directory).publish(Fixture.model)
            _ = try await store.reload()
            try await client.execute(uri: leica + "/related?k=4", method: .get) { response in
                #expect(response.resultIDs.first == "football-derby-result")
            }
            try await client.execute(uri: leica + "/overrides", method: .delete) { response in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: leica + "/overrides", method: .delete) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: leica + "/related?k=4", method: .get) { response in
                #expect(response.resultIDs.contains("xiaomi-17-ultra-launch"))
                #expect(!response.resultIDs.contains("football-derby-result"))
            }
        }
    }

    @Test("a damaged overrides.json makes a reload refuse, and the server keeps its model and overrides")
    func damagedOverrides() async throws {
        try await Fixture.withServer { client, store, directory in
            _ = try await store.setOverrides(.init(pinned: ["football-derby-result"]), for: "leica-red-dot-leitzphone")
            try "{ not json".write(toFile: directory + "/" + OverridesFile.fileName, atomically: true, encoding: .utf8)
            try await client.execute(uri: "/admin/reload", method: .post) { response in
                #expect(response.status == .internalServerError)
                #expect((response.json["detail"] as? String)?.contains(OverridesFile.fileName) == true)
            }
            try await client.execute(uri: leica + "/related?k=2", method: .get) { response in
                #expect(response.resultIDs.first == "football-derby-result")
            }
        }
    }

    @Test("overrides survive a restart")
    func overridesPersist() async throws {
        let directory = try Fixture.modelDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try ModelStore(directory: directory, logger: Fixture.logger)
        _ = try await store.setOverrides(.init(pinned: ["football-derby-result"]), for: "leica-red-dot-leitzphone")
        let restarted = try ModelStore(directory: directory, logger: Fixture.logger)
        let list = try restarted.current.related(to: "leica-red-dot-leitzphone", query: RelatedQuery(k: 3))
        #expect(list.results.first?.article.id == "football-derby-result")
    }

    @Test(
        "bad overrides are 400 problems that say what was wrong",
        arguments: [
            (#"{"pinned": ["leica-red-dot-leitzphone"]}"#, "can't be pinned in its own list"),
            (#"{"pinned": ["no-such-story"]}"#, "can't pin 'no-such-story'"),
            (#"{"pinned": ["a"], "blocked": ["a"]}"#, "both pinned and blocked"),
            (#"{"pinned": "a"}"#, "'pinned' must be an array"),
            (#"{"pins": ["a"]}"#, "unknown field 'pins'"),
        ])
    func badOverrides(json: String, detail: String) async throws {
        try await Fixture.withServer { client, _, _ in
            try await client.execute(
                uri: leica + "/overrides", method: .put, headers: jsonHeaders, body: ByteBuffer(string: json)
            ) {
                response in
                #expect(response.status == .badRequest, "\(response.text)")
                #expect((response.json["detail"] as? String)?.contains(detail) == true, "\(response.text)")
            }
        }
    }

    @Test("override routes: 404 for an unknown article, 401 without the token")
    func overrideAccess() async throws {
        let token = "correct-horse-battery-staple"
        try await Fixture.withServer(adminToken: token) { client, _, _ in
            try await client.execute(uri: "/v1/articles/no-such-story/overrides", method: .get) { response in
                #expect(response.status == .notFound)
            }
            let body = jsonBody(["pinned": ["football-derby-result"]])
            try await client.execute(uri: leica + "/overrides", method: .put, headers: jsonHeaders, body: body) {
                response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: leica + "/overrides", method: .delete) { response in
                #expect(response.status == .unauthorized)
            }
            var headers = jsonHeaders
            headers[.authorization] = "Bearer \(token)"
            try await client.execute(uri: leica + "/overrides", method: .put, headers: headers, body: body) {
                response in
                #expect(response.status == .ok)
            }
            try await client.execute(
                uri: "/v1/articles/no-such-story/overrides", method: .put, headers: headers, body: body
            ) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}
