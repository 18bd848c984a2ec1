import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import KindredServer

@Suite("The editor's console and the routes it uses")
struct ConsoleRouteTests {
    @Test("GET / serves the page; its stylesheet and script are served; other names are 404")
    func files() async throws {
        try await Fixture.withServer { client, _, _ in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(response.text.contains("<script src=\"/console/console.js\" defer></script>"))
                #expect(response.text.contains("<label for=\"search\">"))
            }
            for (name, type) in [("console.js", "text/javascript"), ("console.css", "text/css")] {
                try await client.execute(uri: "/console/\(name)", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix(type) == true)
                    #expect(response.body.readableBytes > 1000)
                }
            }
            try await client.execute(uri: "/console/..%2FPackage.swift", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test("GET /v1/articles finds articles by id or title prefix, title matches first, newest first")
    func find() async throws {
        try await Fixture.withServer { client, _, _ in
            try await client.execute(uri: "/v1/articles?prefix=xiaomi&limit=3", method: .get) { response in
                #expect(response.status == .ok)
                let articles = response.json["articles"] as? [[String: Any]] ?? []
                #expect(articles.count == 3)
                let titles = articles.compactMap { $0["title"] as? String }
                #expect(titles.allSatisfy { $0.lowercased().hasPrefix("xiaomi") })
                let dates = articles.compactMap { $0["published_at"] as? String }
                #expect(dates == dates.sorted(by: >))
            }
            try await client.execute(uri: "/v1/articles?prefix=RED%20DOT", method: .get) { response in
                let ids = (response.json["articles"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                #expect(ids == ["leica-red-dot-leitzphone"])
            }
            try await client.execute(uri: "/v1/articles?prefix=bundesliga-", method: .get) { response in
                let ids = (response.json["articles"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                #expect(ids == ["bundesliga-spitzenspiel"])
            }
            for (query, detail) in [
                ("", "give the start of an id or title"), ("prefix=a&limit=0", "limit must be"),
                ("prefix=a&colour=red", "unknown query parameter 'colour'"),
            ] {
                try await client.execute(uri: "/v1/articles?\(query)", method: .get) { response in
                    #expect(response.status == .badRequest)
                    #expect((response.json["detail"] as? String)?.contains(detail) == true, "\(response.text)")
                }
            }
        }
    }

    @Test("GET /v1/status reports the model, the BLAS and the writes since the reindex")
    func status() async throws {
        try await Fixture.withServer { client, store, _ in
            _ = try await store.delete("football-derby-result")
            try await client.execute(uri: "/v1/status", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.json["articles"] as? Int == Fixture.articles.count - 1)
                #expect(response.json["dimensions"] as? Int == Fixture.model.dimensions)
                #expect(response.json["journal_entries"] as? Int == 1)
                #expect((response.json["blas"] as? String)?.isEmpty == false)
                #expect((response.json["model"] as? [String: Any])?["version"] as? String == store.current.version)
                // The fixture's model was built on words alone: the line says how to turn the channel on.
                let semantic = response.json["semantic"] as? String
                #expect(
                    semantic?.hasPrefix("off (") == true && semantic?.contains("--encoder") == true, "\(semantic ?? "")"
                )
            }
        }
    }
}
