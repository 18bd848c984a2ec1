import DatabaseTestSupport
import Foundation
import KindredEngine
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `kindred reindex --source` and `kindred serve --sync-query` against the PostgreSQL that
/// scripts/databases.sh started.
extension CLITests {
    static let sampleCorpus = try! CorpusReader().read(path: root.appendingPathComponent("corpus").path).articles

    /// The model directory's versions, to check that a failed reindex left it alone.
    func versions(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("2") }.sorted()
    }

    @Test(
        "reindex --source postgresql:// gives the --corpus lists; a wrong password leaves the model as it was",
        .enabled(if: TestServers.available))
    func reindexFromPostgreSQL() throws {
        let database = try ServerDatabase.plainTable(.postgresql, articles: Self.sampleCorpus)
        let fromSource = try temporaryDirectory(), fromCorpus = try temporaryDirectory()
        defer { for path in [fromSource, fromCorpus] { try? FileManager.default.removeItem(atPath: path) } }
        let read = try kindred(["reindex", "--source", database.url, "--model", fromSource])
        #expect(read.status == 0, "\(read.stderr)")
        #expect(read.stderr.contains("85 articles from 85 row(s)") && !read.stderr.contains("kindred-test-secret"))
        #expect(FileManager.default.fileExists(atPath: fromSource + "/" + SyncState.fileName))
        #expect(try kindred(["reindex", "--corpus", "corpus", "--model", fromCorpus]).status == 0)
        for id in ["leica-red-dot-leitzphone", "football-derby-result", "cop30-belem-outcome"] {
            let a = try kindred(["related", id, "--model", fromSource, "-k", "5"])
            let b = try kindred(["related", id, "--model", fromCorpus, "-k", "5"])
            #expect(a.status == 0 && a.stdout == b.stdout)
        }

        let before = try versions(fromSource)
        var wrong = try #require(URLComponents(string: database.url))
        wrong.password = nil
        let passwordFile = fromCorpus + "/password"
        try "not-the-password\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        let refused = try kindred([
            "reindex", "--source", try #require(wrong.string), "--source-password-file", passwordFile, "--model",
            fromSource,
        ])
        #expect(refused.status == 1 && refused.stderr.contains("can't connect"), "\(refused.stderr)")
        #expect(
            refused.stderr.contains("password authentication failed") && !refused.stderr.contains("not-the-password"))
        #expect(try versions(fromSource) == before)
    }

    @Test("serve's sync options are checked before the server starts")
    func serveSyncOptions() throws {
        let alone = try kindred(["serve", "--source", "sqlite:///tmp/x.db"])
        #expect(alone.status == 64 && alone.stderr.contains("--source and --sync-query go together"))
        let noSince = try kindred(["serve", "--source", "sqlite:///tmp/x.db", "--sync-query", "SELECT * FROM articles"])
        #expect(noSince.status == 1 && noSince.stderr.contains(":since"), "\(noSince.stderr)")
        let interval = try kindred([
            "serve", "--source", "sqlite:///tmp/x.db", "--sync-query", "SELECT 1 WHERE :since", "--sync-interval", "0",
        ])
        #expect(interval.status == 64 && interval.stderr.contains("--sync-interval"))
    }

    @Test(
        "serve --sync-query: a row inserted in PostgreSQL is served, and /v1/status shows the sync",
        .enabled(if: TestServers.available))
    func serveWithSync() async throws {
        let database = try ServerDatabase.plainTable(.postgresql, articles: Self.sampleCorpus)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(try kindred(["reindex", "--source", database.url, "--model", directory]).status == 0)
        let port = Int.random(in: 20_000..<40_000)
        let (process, ready) = try await startServer(
            port: port,
            [
                "--model", directory, "--source", database.url, "--sync-query",
                "SELECT * FROM articles WHERE updated_at >= :since", "--sync-interval", "0.5",
            ])
        defer { if process.isRunning { process.terminate() } }
        let base = "http://127.0.0.1:\(port)"
        #expect(ready?.status == 200)
        try database.put(
            Article(
                id: "leica-xiaomi-renewal", title: "Leica and Xiaomi renew their red dot camera partnership",
                body: "Xiaomi keeps the Leica red dot on its 17 Ultra camera phones.", language: "en"))
        var served = false
        for _ in 0..<100 where !served {
            try await Task.sleep(for: .milliseconds(100))
            served = await get(base + "/v1/articles/leica-xiaomi-renewal")?.status == 200
        }
        #expect(served)
        let status = try #require(await get(base + "/v1/status"))
        let json = try JSONSerialization.jsonObject(with: Data(status.body.utf8)) as? [String: Any]
        let sync = try #require(json?["sync"] as? [String: Any])
        #expect((sync["upserted"] as? Int ?? 0) >= 1 && sync["errors"] as? Int == 0)
        #expect((sync["source"] as? String)?.contains(":***@") == true && !status.body.contains("kindred-test-secret"))
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}
