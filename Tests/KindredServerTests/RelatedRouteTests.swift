import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import KindredServer

@Suite("GET /v1/articles/{id}/related and POST /v1/related")
struct RelatedRouteTests {
    @Test("related by id returns the Xiaomi stories for the Leica one, with the model that answered")
    func relatedByID() async throws {
        try await Fixture.withServer { client, store, directory in
            try await client.execute(uri: "/v1/articles/leica-red-dot-leitzphone/related?k=3", method: .get) {
                response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                #expect(
                    Set(response.resultIDs) == [
                        "xiaomi-17-ultra-launch", "xiaomi-tag-find-my", "xiaomi-17-global-series",
                    ])
                #expect(response.json["id"] as? String == "leica-red-dot-leitzphone")
                let model = response.json["model"] as? [String: Any]
                #expect(model?["version"] as? String == store.current.version)
                #expect((model?["built_at"] as? String)?.hasSuffix("Z") == true)
                let first = (response.json["results"] as? [[String: Any]])?.first ?? [:]
                #expect(
                    Set(first.keys) == [
                        "id", "title", "url", "section", "published_at", "score", "reason", "already_linked",
                    ])
                #expect(first["reason"] as? String == "related")
                #expect(response.json["k"] as? Int == 3)
                #expect(response.json["complete"] as? Bool == true)
                #expect(response.json["below_floor"] as? Int == 0)
            }
            try await client.execute(uri: "/v1/articles/leica-red-dot-leitzphone/related", method: .get) { response in
                #expect(response.resultIDs.count == 10)
            }
        }
    }

    @Test("filters: exclude, section, language, since/until, min_score")
    func filters() async throws {
        try await Fixture.withServer { client, store, directory in
            let base = "/v1/articles/leica-red-dot-leitzphone/related"
            try await client.execute(uri: base + "?k=3&exclude=xiaomi-17-ultra-launch,xiaomi-tag-find-my", method: .get)
            { response in
                #expect(!response.resultIDs.contains("xiaomi-17-ultra-launch"))
                #expect(!response.resultIDs.contains("xiaomi-tag-find-my"))
                #expect(response.resultIDs.count == 3)
            }
            try await client.execute(uri: base + "?k=5&section=wearables&min_score=-1", method: .get) { response in
                let sections = (response.json["results"] as? [[String: Any]] ?? []).map { $0["section"] as? String }
                #expect(!sections.isEmpty && sections.allSatisfy { $0 == "wearables" })
            }
            try await client.execute(uri: base + "?k=50&language=de&min_score=-1", method: .get) { response in
                #expect(response.resultIDs == ["bundesliga-spitzenspiel"])
            }
            try await client.execute(
                uri: base + "?k=50&since=2026-03-01T00:00:00Z&until=2026-03-31T23:59:59Z", method: .get
            ) { response in
                let dates = (response.json["results"] as? [[String: Any]] ?? []).compactMap {
                    $0["published_at"] as? String
                }
                #expect(!dates.isEmpty && dates.allSatisfy { $0.hasPrefix("2026-03") })
            }
            try await client.execute(uri: base + "?k=50&min_score=0.3", method: .get) { response in
                let scores = (response.json["results"] as? [[String: Any]] ?? []).compactMap { $0["score"] as? Double }
                #expect(!scores.isEmpty && scores.allSatisfy { $0 >= 0.3 })
                #expect(scores.count < 50)
            }
        }
    }

    @Test(
        "bad query parameters are 400 problems that say what was wrong",
        arguments: [
            ("k=0", "k must be between 1 and 100; got 0"),
            ("k=101", "k must be between 1 and 100; got 101"),
            ("k=ten", "k 'ten' is not valid"),
            (
                "since=yesterday",
                "since 'yesterday' is not valid: only articles published at or after this RFC 3339 time"
            ),
            ("until=2026-13-01T00:00:00Z", "until '2026-13-01T00:00:00Z' is not valid"),
            ("since=2026-03-02T00:00:00Z&until=2026-03-01T00:00:00Z", "is after until"),
            ("min_score=2", "min_score must be a similarity between -1 and 1; got 2"),
            ("min_score=high", "min_score 'high' is not valid"),
            ("language=not%20a%20tag", "language must be 'any' or a BCP 47 tag"),
            ("max_age=-1d", "max_age '-1d' is not valid: only articles at most this old"),
            ("fallback=latest", "fallback 'latest' is not valid: fill a short list: none (default) or section"),
            ("half_life=0", "half_life must be between 0 and 36500 days"),
            ("freshness=0.5", "freshness needs half_life"),
            ("half_life=7&freshness=2", "freshness must be between 0 and 1; got 2"),
            ("diversity=1.5", "diversity must be an MMR λ between 0 and 1; got 1.5"),
            ("dedupe=0", "dedupe must be a TF-IDF cosine in (0, 1]; got 0"),
            ("linked=keep", "linked 'keep' is not valid"),
            ("explain=yes", "explain 'yes' is not valid"),
            ("colour=red", "unknown query parameter 'colour'"),
            ("k=3&k=4", "given twice"),
        ])
    func badParameters(query: String, detail: String) async throws {
        try await Fixture.withServer { client, store, directory in
            try await client.execute(uri: "/v1/articles/leica-red-dot-leitzphone/related?" + query, method: .get) {
                response in
                #expect(response.status == .badRequest)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(response.json["status"] as? Int == 400)
                #expect((response.json["detail"] as? String)?.contains(detail) == true, "\(response.text)")
            }
        }
    }

    @Test("an unknown id is a 404 problem naming it")
    func unknownID() async throws {
        try await Fixture.withServer { client, store, directory in
            try await client.execute(uri: "/v1/articles/no-such-story/related", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect((response.json["detail"] as? String)?.contains("'no-such-story'") == true)
            }
        }
    }

    @Test("a draft finds what it is about, with the same filters")
    func draft() async throws {
        try await Fixture.withServer { client, store, directory in
            let body = jsonBody([
                "title": "Xiaomi's tracker", "body": "A tag that works with Apple Find My and Google Find Hub", "k": 2,
                "section": "phones-cameras",
            ])
            try await client.execute(uri: "/v1/related", method: .post, headers: jsonHeaders, body: body) { response in
                #expect(response.status == .ok)
                #expect(response.resultIDs.first == "xiaomi-tag-find-my")
                #expect(response.resultIDs.count == 2)
                #expect(response.json["id"] == nil)
            }
        }
    }

    @Test("bad draft requests: 400 malformed or invalid, 413 too large, 415 not JSON")
    func badDrafts() async throws {
        try await Fixture.withServer(maximumBodyBytes: 2048) { client, _, _ in
            let cases: [(HTTPFields, ByteBuffer, HTTPResponse.Status, String)] = [
                (jsonHeaders, ByteBuffer(string: "{\"title\": "), .badRequest, "malformed JSON"),
                (jsonHeaders, ByteBuffer(string: "[1]"), .badRequest, "must be a JSON object"),
                (jsonHeaders, jsonBody(["body": "x", "colour": "red"]), .badRequest, "unknown field 'colour'"),
                (jsonHeaders, jsonBody(["title": " ", "body": ""]), .badRequest, "non-empty 'title' or 'body'"),
                (jsonHeaders, jsonBody(["body": "x", "k": 0]), .badRequest, "k must be between 1 and 100"),
                (jsonHeaders, jsonBody(["body": "x", "k": "3"]), .badRequest, "'k' must be an integer"),
                (jsonHeaders, jsonBody(["body": "x", "exclude": "a"]), .badRequest, "'exclude' must be an array"),
                (
                    jsonHeaders, jsonBody(["body": String(repeating: "word ", count: 1000)]), .contentTooLarge,
                    "over the limit of 2048 bytes"
                ),
                ([.contentType: "text/plain"], ByteBuffer(string: "hello"), .unsupportedMediaType, "must be JSON"),
                ([:], ByteBuffer(string: "{}"), .unsupportedMediaType, "Content-Type: application/json"),
            ]
            for (headers, body, status, detail) in cases {
                try await client.execute(uri: "/v1/related", method: .post, headers: headers, body: body) { response in
                    #expect(response.status == status, "\(detail): \(response.text)")
                    #expect(response.headers[.contentType] == "application/problem+json")
                    #expect((response.json["detail"] as? String)?.contains(detail) == true, "\(response.text)")
                }
            }
        }
    }
}
