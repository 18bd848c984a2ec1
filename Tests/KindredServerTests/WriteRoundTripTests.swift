import DatabaseTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import KindredAPI
import KindredEngine
import Testing

@testable import KindredServer

/// "Never lose an article": a write the API acknowledged reads back the same after every way the
/// server can come to hold it again — a restart, a reload, a reindex that absorbs the journal.
@Suite("acknowledged writes read back the same")
struct WriteRoundTripTests {
    /// Every id's `GET /v1/articles/{id}` body and its related list (ids and scores).
    static func answers(_ store: ModelStore, ids: [String], related: Bool = true) async throws -> [String: String] {
        let app = buildApplication(
            store: store, configuration: ServerConfiguration(port: 0, modelDirectory: store.directory.path),
            logger: Fixture.logger)
        let collected = Collected<(String, String)>()
        try await app.test(.router) { client in
            for id in ids {
                let path = id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? id
                var answer = ""
                try await client.execute(uri: "/v1/articles/\(path)", method: .get) {
                    answer = "\($0.status) \($0.text)"
                }
                if related {
                    try await client.execute(uri: "/v1/articles/\(path)/related?k=5", method: .get) { response in
                        let results = response.json["results"] as? [[String: Any]] ?? []
                        answer +=
                            " | " + results.map { "\($0["id"] ?? "") \($0["score"] ?? "")" }.joined(separator: ", ")
                    }
                }
                collected.append((id, answer))
            }
        }
        return Dictionary(uniqueKeysWithValues: collected.all)
    }

    @Test("a title of entities is a 201 and is served as text, before and after a restart")
    func entityTitle() async throws {
        let directory = try Fixture.modelDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (app, _) = try Fixture.application(directory: directory)
        try await app.test(.router) { client in
            for (id, title) in [("entity-title", "&lt;br&gt;"), ("b-tags", "Use &lt;b&gt; tags on phone pages")] {
                try await client.execute(
                    uri: "/v1/articles/\(id)", method: .put, headers: jsonHeaders,
                    body: jsonBody(["title": title, "body": "Xiaomi and Leica put the red dot on a camera phone."])
                ) { #expect($0.status == .created) }
            }
            try await client.execute(
                uri: "/v1/articles/plain-text", method: .put, headers: jsonHeaders,
                body: jsonBody(["title": "Plain", "body": "Escaped code &lt;b&gt; stays", "body_format": "text"])
            ) { #expect($0.status == .created) }
        }
        let restarted = try ModelStore(directory: directory, logger: Fixture.logger)
        #expect(restarted.current.metadata(of: "entity-title")?.title == "<br>")
        #expect(restarted.current.metadata(of: "b-tags")?.title == "Use <b> tags on phone pages")
        #expect(restarted.skippedJournalEntries == 0)
        let journal = try String(contentsOfFile: directory + "/" + Journal.fileName, encoding: .utf8)
        #expect(journal.contains(#""body_format":"text""#) && journal.contains("&lt;br&gt;"))
    }

    @Test("generated writes answer the same after a restart, a reload and a reindex")
    func generated() async throws {
        let directory = try Fixture.modelDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (app, store) = try Fixture.application(directory: directory)
        let accepted = Collected<String>()
        let writes = GeneratedWrites(seed: 36).fields(80).map { ($0["id"] as! String, GeneratedWrites.json($0)) }
        try await app.test(.router) { client in
            for (id, json) in writes {
                let path = id.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                try await client.execute(
                    uri: "/v1/articles/\(path)", method: .put, headers: jsonHeaders, body: ByteBuffer(string: json)
                ) { response in
                    if response.status == .created || response.status == .ok {
                        accepted.append(ArticleID.normalized(id))
                    } else {
                        #expect(response.status == .badRequest, "\(id): \(response.status) \(response.text)")
                    }
                }
            }
        }
        let ids = Array(Set(accepted.all)).sorted()
        #expect(ids.count > 60, "most generated writes are valid articles")
        let before = try await Self.answers(store, ids: ids)

        let restarted = try ModelStore(directory: directory, logger: Fixture.logger)
        #expect(restarted.skippedJournalEntries == 0)
        let afterRestart = try await Self.answers(restarted, ids: ids)
        for id in ids { #expect(afterRestart[id] == before[id], "restart changed \(id)") }

        _ = try await restarted.reload()
        let afterReload = try await Self.answers(restarted, ids: ids)
        for id in ids { #expect(afterReload[id] == before[id], "reload changed \(id)") }

        // The nightly reindex absorbs the journal; the related lists change with the model, the
        // articles must not.
        let (entries, problems) = try Journal.read(path: directory + "/" + Journal.fileName)
        #expect(problems.isEmpty)
        let absorbed = try ModelBuilder().build(
            Journal.apply(entries, to: Fixture.articles), journalSequence: entries.map(\.sequence).max()
        ).model
        try ModelDirectory(path: directory).publish(absorbed)
        #expect(try await restarted.reload().changed)
        let beforeArticles = try await Self.answers(store, ids: ids, related: false)
        let afterReindex = try await Self.answers(restarted, ids: ids, related: false)
        for id in ids { #expect(afterReindex[id] == beforeArticles[id], "reindex changed \(id)") }
    }

    @Test("an id in either Unicode normalisation is one article, stored and answered in NFC")
    func normalisedIDs() async throws {
        try await Fixture.withServer { client, store, _ in
            let decomposed = "cafe\u{301}-review", composed = "caf\u{E9}-review"
            try await client.execute(
                uri: "/v1/articles/" + decomposed.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!,
                method: .put, headers: jsonHeaders, body: jsonBody(["title": "Cafe review", "body": "Leica camera"])
            ) { #expect($0.status == .created) }
            try await client.execute(
                uri: "/v1/articles/" + composed.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!,
                method: .get
            ) { response in
                #expect(response.status == .ok)
                let id = response.json["id"] as? String
                #expect(id.map { Array($0.utf8) } == Array(composed.utf8))
            }
            #expect(store.current.upserts.map { Array($0.metadata.id.utf8) } == [Array(composed.utf8)])
        }
    }

    @Test("a journal line that can't be read or applied is skipped and counted; the writes after it are kept")
    func poisonLine() async throws {
        let directory = try Fixture.modelDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = JournalWriter(path: directory + "/" + Journal.fileName, lastSequence: 0, count: 0)
        _ = try writer.append(.put(text: Article(id: "first", title: "First", body: "Xiaomi Leica camera")))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/" + Journal.fileName))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"seq": 2, "op": "put", "received": {"id": "bad"}}"#.utf8 + [0x0A]))
        try handle.close()
        let after = JournalWriter(path: directory + "/" + Journal.fileName, lastSequence: 2, count: 2)
        _ = try after.append(.put(text: Article(id: "third", title: "Third", body: "Xiaomi Tag tracker")))
        let store = try ModelStore(directory: directory, logger: Fixture.logger)
        #expect(store.current.metadata(of: "first") != nil && store.current.metadata(of: "third") != nil)
        #expect(store.skippedJournalEntries == 1)
        let (app, _) = (
            buildApplication(
                store: store, configuration: ServerConfiguration(port: 0, modelDirectory: directory),
                logger: Fixture.logger), 0
        )
        try await app.test(.router) { client in
            try await client.execute(uri: "/v1/status", method: .get) {
                #expect($0.json["journal_skipped"] as? Int == 1)
            }
            try await client.execute(uri: "/metrics", method: .get) {
                #expect($0.text.contains("kindred_journal_skipped_entries 1"))
            }
        }
    }
}
