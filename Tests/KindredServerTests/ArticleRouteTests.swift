import Foundation
import Hummingbird
import HummingbirdTesting
import KindredAPI
import KindredEngine
import Testing

@testable import KindredServer

@Suite("PUT, DELETE and GET /v1/articles/{id}")
struct ArticleRouteTests {
    nonisolated(unsafe) static let newArticle: [String: Any] = [
        "title": "Xiaomi Tag gets a rechargeable second generation",
        "body":
            "Xiaomi's second tracker charges over USB-C and still works with Apple's Find My and Google's Find Hub networks.",
        "section": "wearables", "published_at": "2026-11-20T10:00:00Z",
        "url": "https://news.example.com/wearables/xiaomi-tag-2",
        "tags": ["Xiaomi", "trackers"],
    ]

    @Test("GET returns stored metadata; 404 for an unknown id")
    func get() async throws {
        try await Fixture.withServer { client, store, directory in
            try await client.execute(uri: "/v1/articles/xiaomi-tag-find-my", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.json["section"] as? String == "phones-cameras")
                #expect(response.json["language"] as? String == "en")
                #expect(response.json["body"] == nil)
            }
            try await client.execute(uri: "/v1/articles/missing", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test("PUT indexes at once: the new article has related articles and appears in others' lists")
    func put() async throws {
        try await Fixture.withServer { client, store, directory in
            try await client.execute(
                uri: "/v1/articles/xiaomi-tag-2", method: .put, headers: jsonHeaders, body: jsonBody(Self.newArticle)
            ) { response in
                #expect(response.status == .created)
                #expect(response.json["created"] as? Bool == true)
            }
            try await client.execute(uri: "/v1/articles/xiaomi-tag-2/related?k=3", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.resultIDs.contains("xiaomi-tag-find-my"))
            }
            try await client.execute(uri: "/v1/articles/xiaomi-tag-find-my/related?k=3", method: .get) { response in
                #expect(response.resultIDs.contains("xiaomi-tag-2"))
            }
            var changed = Self.newArticle
            changed["title"] = "Xiaomi Tag 2 delayed"
            try await client.execute(
                uri: "/v1/articles/xiaomi-tag-2", method: .put, headers: jsonHeaders, body: jsonBody(changed)
            ) { response in
                #expect(response.status == .ok)
                #expect(response.json["created"] as? Bool == false)
            }
            try await client.execute(uri: "/v1/articles/xiaomi-tag-2", method: .get) { response in
                #expect(response.json["title"] as? String == "Xiaomi Tag 2 delayed")
            }
        }
    }

    @Test("ids are percent-decoded from the path: g++ and a/b are ids like any other")
    func percentEncodedIDs() async throws {
        try await Fixture.withServer { client, store, directory in
            for (path, id) in [("g%2B%2B", "g++"), ("news%2F2026%2Fxiaomi", "news/2026/xiaomi")] {
                let body = jsonBody(["title": "Xiaomi Tag tracker review", "body": "Find My and Find Hub in one tag."])
                try await client.execute(uri: "/v1/articles/\(path)", method: .put, headers: jsonHeaders, body: body) {
                    response in
                    #expect(response.status == .created)
                    #expect(response.json["id"] as? String == id)
                }
                try await client.execute(uri: "/v1/articles/\(path)", method: .get) { response in
                    #expect(response.json["id"] as? String == id)
                }
                try await client.execute(uri: "/v1/articles/\(path)/related?k=1", method: .get) { response in
                    #expect(response.status == .ok)
                }
            }
            try await client.execute(uri: "/v1/articles/bad%zz", method: .get) { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test("PUT replacing an indexed article hides the old version")
    func putExisting() async throws {
        try await Fixture.withServer { client, store, directory in
            let body = jsonBody([
                "title": "Derby report corrected", "body": "A late penalty decided the football derby.",
            ])
            try await client.execute(
                uri: "/v1/articles/football-derby-result", method: .put, headers: jsonHeaders, body: body
            ) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v1/articles/champions-league-draw/related?k=100", method: .get) {
                response in
                #expect(response.resultIDs.filter { $0 == "football-derby-result" }.count == 1)
            }
            #expect(store.current.articleCount == Fixture.articles.count)
        }
    }

    @Test("bad PUTs: invalid article, id mismatch, not JSON")
    func badPut() async throws {
        try await Fixture.withServer { client, store, directory in
            let cases: [(HTTPFields, ByteBuffer, HTTPResponse.Status, String)] = [
                (jsonHeaders, jsonBody(["section": "x"]), .badRequest, "neither a title nor a body"),
                (
                    jsonHeaders, jsonBody(["title": "t", "published_at": "soon"]), .badRequest,
                    "not an RFC 3339 timestamp"
                ),
                (jsonHeaders, jsonBody(["id": "other", "title": "t"]), .badRequest, "differs from the id in the path"),
                (jsonHeaders, ByteBuffer(string: "{"), .badRequest, "malformed JSON"),
                ([.contentType: "text/html"], ByteBuffer(string: "<p>"), .unsupportedMediaType, "must be JSON"),
            ]
            for (headers, body, status, detail) in cases {
                try await client.execute(uri: "/v1/articles/new-one", method: .put, headers: headers, body: body) {
                    response in
                    #expect(response.status == status)
                    #expect((response.json["detail"] as? String)?.contains(detail) == true, "\(response.text)")
                }
            }
            try await client.execute(uri: "/v1/articles/new-one", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test("DELETE withdraws: 204, then never returned; 404 for an unknown id")
    func delete() async throws {
        try await Fixture.withServer { client, store, directory in
            try await client.execute(uri: "/v1/articles/xiaomi-17-ultra-launch", method: .delete) { response in
                #expect(response.status == .noContent)
            }
            try await client.execute(
                uri: "/v1/articles/leica-red-dot-leitzphone/related?k=100&min_score=-1&language=any&dedupe=off",
                method: .get
            ) { response in
                #expect(!response.resultIDs.contains("xiaomi-17-ultra-launch"))
                #expect(response.resultIDs.count == Fixture.articles.count - 2)
            }
            try await client.execute(uri: "/v1/articles/xiaomi-17-ultra-launch", method: .get) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/v1/articles/xiaomi-17-ultra-launch/related", method: .get) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/v1/articles/xiaomi-17-ultra-launch", method: .delete) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test("acknowledged upserts and deletes survive a restart (journal replay)")
    func survivesRestart() async throws {
        let directory = try Fixture.modelDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let (app, _) = try Fixture.application(directory: directory)
            try await app.test(.router) { client in
                try await client.execute(
                    uri: "/v1/articles/xiaomi-tag-2", method: .put, headers: jsonHeaders,
                    body: jsonBody(Self.newArticle)
                ) { response in
                    #expect(response.status == .created)
                }
                try await client.execute(uri: "/v1/articles/football-derby-result", method: .delete) { response in
                    #expect(response.status == .noContent)
                }
            }
        }
        let (restarted, store) = try Fixture.application(directory: directory)
        #expect(store.current.metadata(of: "xiaomi-tag-2")?.title == Self.newArticle["title"] as? String)
        #expect(store.current.metadata(of: "football-derby-result") == nil)
        #expect(await store.journalLength() == 2)
        try await restarted.test(.router) { client in
            try await client.execute(uri: "/v1/articles/xiaomi-tag-find-my/related?k=3", method: .get) { response in
                #expect(response.resultIDs.contains("xiaomi-tag-2"))
            }
        }
    }

    @Test("a server that only answers queries writes nothing to the model directory")
    func readOnlyLeavesNoJournal() async throws {
        try await Fixture.withServer { client, _, directory in
            try await client.execute(uri: "/v1/articles/xiaomi-tag-find-my/related", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/admin/reload", method: .post) { response in
                #expect(response.status == .ok)
            }
            #expect(!FileManager.default.fileExists(atPath: directory + "/journal.jsonl"))
        }
    }

    @Test("a torn last journal line is skipped, the rest replayed")
    func tornJournal() throws {
        let directory = try Fixture.modelDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = directory + "/journal.jsonl"
        var data = try Journal.encode(JournalEntry(sequence: 1, operation: .delete("football-derby-result")))
        data.append(Data("{\"seq\": 2, \"op\": \"put\", \"article\": {\"id\": \"half".utf8))
        try data.write(to: URL(fileURLWithPath: journal))
        let store = try ModelStore(directory: directory, logger: Fixture.logger)
        #expect(store.current.metadata(of: "football-derby-result") == nil)
        #expect(store.current.metadata(of: "half") == nil)
        let (_, problems) = try Journal.read(path: journal)
        #expect(problems.first?.reason.contains("incomplete last record") == true)
    }
}
