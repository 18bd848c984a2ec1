import Foundation
import Hummingbird
import HummingbirdTesting
import KindredAPI
import KindredEngine
import Testing

@testable import KindredServer

@Suite("Reload, health, metrics, OpenAPI")
struct AdminRouteTests {
    @Test("reload switches to a newer model and replays the journal entries it has not absorbed")
    func reload() async throws {
        let directory = try Fixture.modelDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (app, store) = try Fixture.application(directory: directory)
        let first = store.current.version
        try await app.test(.router) { client in
            try await client.execute(
                uri: "/v1/articles/late-story", method: .put, headers: jsonHeaders,
                body: jsonBody(["title": "Xiaomi Tag price cut", "body": "The Xiaomi Tag tracker now costs less."])
            ) { response in
                #expect(response.status == .created)
            }
            try await client.execute(uri: "/admin/reload", method: .post) { response in
                #expect(response.status == .ok)
                #expect(response.json["changed"] as? Bool == false)
            }
            var parameters = ModelParameters()
            parameters.dimensions = 40
            try ModelDirectory(path: directory).publish(
                try ModelBuilder(parameters: parameters).build(Fixture.articles).model)
            try await client.execute(uri: "/admin/reload", method: .post) { response in
                #expect(response.status == .ok)
                #expect(response.json["previous_version"] as? String == first)
                #expect(response.json["changed"] as? Bool == true)
                #expect(response.json["journal_replayed"] as? Int == 1)
            }
            try await client.execute(uri: "/v1/articles/late-story", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
        #expect(store.current.version != first)
        #expect(store.current.model.dimensions == 40)
    }

    @Test("rolling back to an older version after a reindex absorbed the journal loses no write")
    func rollback() async throws {
        let directory = try Fixture.modelDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try ModelStore(directory: directory, logger: Fixture.logger)
        let old = store.current.version
        let article = Article(
            id: "late-story", title: "Xiaomi Tag price cut", body: "The Xiaomi Tag tracker costs less.")
        try await store.upsert(ReceivedArticle(text: article))
        // The nightly reindex absorbs the journal (entry 1) into a new version.
        let (entries, _) = try Journal.read(path: directory + "/journal.jsonl")
        let absorbed = try ModelBuilder().build(Journal.apply(entries, to: Fixture.articles), journalSequence: 1).model
        let new = try ModelDirectory(path: directory).publish(absorbed)
        #expect(try await store.reload().replayed == 0)
        #expect(store.current.metadata(of: "late-story") != nil)
        #expect(try Journal.read(path: directory + "/journal.jsonl").entries.count == 1)
        // The new version is rejected: move it away and reload the old one.
        try FileManager.default.moveItem(atPath: new, toPath: directory + "/../rejected-\(UUID().uuidString)")
        let outcome = try await store.reload()
        #expect(outcome.version == old && outcome.replayed == 1)
        #expect(store.current.metadata(of: "late-story")?.title == "Xiaomi Tag price cut")
    }

    @Test("a corrupt new model is refused while requests keep being answered by the old one")
    func corruptReload() async throws {
        let directory = try Fixture.modelDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (app, store) = try Fixture.application(directory: directory)
        let serving = store.current.version
        let bad = try ModelDirectory(path: directory).publish(Fixture.model)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: bad + "/model.kdm"))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: bad + "/model.kdm"))
        try await app.test(.router) { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        for _ in 0..<25 {
                            try await client.execute(
                                uri: "/v1/articles/leica-red-dot-leitzphone/related?k=3", method: .get
                            ) { response in
                                #expect(response.status == .ok)
                                #expect(response.resultIDs.count == 3)
                            }
                        }
                    }
                }
                group.addTask {
                    try await client.execute(uri: "/admin/reload", method: .post) { response in
                        #expect(response.status == .internalServerError)
                        #expect(response.json["title"] as? String == "Model refused")
                        let detail = response.json["detail"] as? String ?? ""
                        #expect(detail.contains("bad checksum") && detail.contains("still serving model \(serving)"))
                    }
                }
                try await group.waitForAll()
            }
        }
        #expect(store.current.version == serving)
    }

    @Test("a valid reload while requests run: every request answers, from one model or the other")
    func reloadUnderLoad() async throws {
        let directory = try Fixture.modelDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (app, store) = try Fixture.application(directory: directory)
        try ModelDirectory(path: directory).publish(Fixture.model)
        let versions = Set(ModelDirectory(path: directory).versions())
        try await app.test(.router) { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        for _ in 0..<25 {
                            try await client.execute(uri: "/v1/articles/xiaomi-tag-find-my/related?k=2", method: .get) {
                                response in
                                #expect(response.status == .ok)
                                let version = (response.json["model"] as? [String: Any])?["version"] as? String ?? ""
                                #expect(versions.contains(version))
                            }
                        }
                    }
                }
                group.addTask {
                    try await client.execute(uri: "/admin/reload", method: .post) { response in
                        #expect(response.status == .ok)
                        #expect(response.json["changed"] as? Bool == true)
                    }
                }
                try await group.waitForAll()
            }
        }
        #expect(store.current.version == versions.max())
    }

    @Test("with an admin token, writes and reload need it; reads stay open")
    func adminToken() async throws {
        let token = "s3cret-token-for-tests-0123"
        try await Fixture.withServer(adminToken: token) { client, _, _ in
            let body = jsonBody(["title": "A new story"])
            let writes: [(String, HTTPRequest.Method, ByteBuffer?)] = [
                ("/v1/articles/new-story", .put, body), ("/v1/articles/football-derby-result", .delete, nil),
                ("/admin/reload", .post, nil),
            ]
            for (uri, method, payload) in writes {
                for (header, detail) in [
                    (nil as String?, "send 'Authorization: Bearer"), ("Bearer wrong", "the admin token is wrong"),
                    ("Basic \(token)", "the admin token is wrong"),
                ] {
                    var headers = jsonHeaders
                    if let header { headers[.authorization] = header }
                    try await client.execute(uri: uri, method: method, headers: headers, body: payload) { response in
                        #expect(response.status == .unauthorized, "\(method) \(uri)")
                        #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                        #expect((response.json["detail"] as? String)?.contains(detail) == true, "\(response.text)")
                    }
                }
            }
            var authorized = jsonHeaders
            authorized[.authorization] = "Bearer \(token)"
            try await client.execute(uri: "/v1/articles/new-story", method: .put, headers: authorized, body: body) {
                response in
                #expect(response.status == .created)
            }
            try await client.execute(uri: "/v1/articles/football-derby-result", method: .delete, headers: authorized) {
                response in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: "/admin/reload", method: .post, headers: authorized) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v1/articles/new-story/related?k=2", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
        #expect(AdminAuthorization.constantTimeEqual(Array("abc".utf8), Array("abc".utf8)))
        #expect(!AdminAuthorization.constantTimeEqual(Array("abc".utf8), Array("abd".utf8)))
        #expect(!AdminAuthorization.constantTimeEqual(Array("abc".utf8), Array("abcd".utf8)))
    }

    @Test("health, readiness and metrics")
    func status() async throws {
        try await Fixture.withServer { client, store, directory in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.json["status"] as? String == "ok")
            }
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.json["status"] as? String == "ready")
                #expect(response.json["articles"] as? Int == Fixture.articles.count)
            }
            try await client.execute(uri: "/v1/articles/leica-red-dot-leitzphone/related", method: .get) { _ in }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                for name in [
                    "kindred_model_articles", "kindred_model_age_seconds", "kindred_journal_entries",
                    "kindred_model_info{version=", "http_server_request_duration_bucket", "hb_requests",
                    "http_route=\"/v1/articles/{id}/related\"",
                ] {
                    #expect(response.text.contains(name), "missing \(name)")
                }
            }
        }
    }

    @Test("an unknown route is a 404 problem")
    func unknownRoute() async throws {
        try await Fixture.withServer { client, store, directory in
            try await client.execute(uri: "/v2/anything", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
        }
    }

    @Test("the OpenAPI document lists exactly the routes and parameters the server has")
    func openAPI() async throws {
        try await Fixture.withServer { client, store, directory in
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                let document = response.json
                #expect(document["openapi"] as? String == "3.1.0")
                let paths = document["paths"] as? [String: [String: Any]] ?? [:]
                var documented = Set<String>()
                for (path, operations) in paths {
                    for method in operations.keys { documented.insert("\(method.uppercased()) \(path)") }
                }
                let served = Set(KindredRoute.allCases.map { "\($0.method.rawValue) \($0.path)" })
                #expect(documented == served)
                let components = document["components"] as? [String: Any]
                let parameters = (components?["parameters"] as? [String: Any] ?? [:]).keys.filter { $0 != "id" }
                #expect(Set(parameters) == RankingParameter.queryNames)
                let schemas = components?["schemas"] as? [String: [String: Any]]
                let draftFields = (schemas?["DraftQuery"]?["properties"] as? [String: Any] ?? [:]).keys
                #expect(Set(draftFields) == DraftRequest.acceptedFields)
            }
        }
    }

    @Test("over a real socket")
    func liveSocket() async throws {
        let directory = try Fixture.modelDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (app, _) = try Fixture.application(directory: directory)
        try await app.test(.live) { client in
            try await client.execute(uri: "/v1/articles/leica-red-dot-leitzphone/related?k=3", method: .get) {
                response in
                #expect(response.status == .ok)
                #expect(response.resultIDs.count == 3)
            }
            try await client.execute(
                uri: "/v1/related", method: .post, headers: jsonHeaders, body: jsonBody(["body": "heatwave in Spain"])
            ) { response in
                #expect(response.status == .ok)
            }
        }
    }
}
