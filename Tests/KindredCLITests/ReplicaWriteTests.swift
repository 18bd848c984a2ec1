import DatabaseTestSupport
import Foundation
import KindredEngine
import Testing

/// What an acknowledged write must survive on replicas: other replicas, restarts, reindexes,
/// entries nobody can read, a database that is away at start.
extension ReplicaTests {
    /// Every id's `GET /v1/articles/{id}` answer on one replica.
    static func articles(_ base: String, _ ids: [String]) async -> [String: String] {
        var answers: [String: String] = [:]
        for id in ids {
            let path = id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? id
            let answer = await http("GET", base + "/v1/articles/\(path)")
            answers[id] = "\(answer?.status ?? 0) \(answer?.body ?? "")"
        }
        return answers
    }

    @Test(
        "generated writes on one replica answer the same on another, after its SIGKILL and restart, and after a reindex"
    )
    func writesRoundTrip() async throws {
        let cluster = try Cluster(count: 2)
        for replica in 0..<2 { try await cluster.start(replica) }
        var accepted: [String] = []
        for fields in GeneratedWrites(seed: 3_600).fields(40) {
            let id = fields["id"] as! String
            let path = id.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let status = await Self.http(
                "PUT", cluster.base(0) + "/v1/articles/\(path)", json: GeneratedWrites.json(fields))?
                .status
            if status == 201 || status == 200 { accepted.append(ArticleID.normalized(id)) }
        }
        #expect(accepted.count > 30)
        let written = await Self.articles(cluster.base(0), accepted)
        let caughtUp = try await Self.within(5) { try await cluster.status(1)["lag_entries"] as? Int == 0 }
        #expect(caughtUp != nil)
        #expect(await Self.articles(cluster.base(1), accepted) == written, "another replica answers otherwise")
        cluster.kill(1)
        try await cluster.start(1)
        #expect(await Self.articles(cluster.base(1), accepted) == written, "a restarted replica answers otherwise")
        let before = await Self.http("GET", cluster.base(0) + "/readyz")?.body ?? ""
        let reindex = try CLITests().kindred([
            "reindex", "--corpus", "corpus", "--model", cluster.directory, "--journal", cluster.journalURL,
        ])
        #expect(reindex.status == 0, "\(reindex.stderr)")
        for replica in 0..<2 {
            #expect(
                await Self.switched(cluster.base(replica), from: before),
                "replica \(replica) did not switch to the reindexed model")
            #expect(await Self.articles(cluster.base(replica), accepted) == written, "replica \(replica) after reindex")
        }
    }

    @Test("a poison row in kindred_journal and kindred_overrides stops no replica, restart or reindex")
    func poisonRows() async throws {
        let cluster = try Cluster(count: 2)
        for replica in 0..<2 { try await cluster.start(replica) }
        let database = try ServerDatabase(connectingTo: cluster.journalURL)
        try database.run("INSERT INTO kindred_journal (article_id, entry) VALUES ('poison', 'not json at all')")
        try database.run(
            "INSERT INTO kindred_overrides (article_id, entry, stamp) VALUES ('poison', '{\"pinned\": 7}', nextval('kindred_overrides_stamp'))"
        )
        try database.run("SELECT pg_notify('kindred', 'journal')")
        try database.run("SELECT pg_notify('kindred', 'overrides')")
        #expect(await Self.put(cluster.base(0), "after-poison", title: "After the poison") == 201)
        let seen = await Self.within(2) {
            await Self.http("GET", cluster.base(1) + "/v1/articles/after-poison")?.status == 200
        }
        #expect(seen != nil, "a write after the poison row did not reach the other replica")
        for replica in 0..<2 {
            let status = await Self.http("GET", cluster.base(replica) + "/v1/status")?.body ?? ""
            #expect(status.contains("\"journal_skipped\":2"), "replica \(replica): \(status)")
            #expect(!status.contains("\"lag_entries\":1"))
        }
        cluster.kill(1)
        try await cluster.start(1)
        #expect(await Self.http("GET", cluster.base(1) + "/v1/articles/after-poison")?.status == 200)
        let reindex = try CLITests().kindred([
            "reindex", "--corpus", "corpus", "--model", cluster.directory, "--journal", cluster.journalURL,
        ])
        #expect(reindex.status == 0, "\(reindex.stderr)")
        #expect(reindex.stderr.contains("skipped"))
    }

    @Test("a DELETE on one replica right after a PUT on another withdraws the article, every time")
    func deleteAfterPutElsewhere() async throws {
        let cluster = try Cluster(count: 2)
        for replica in 0..<2 { try await cluster.start(replica) }
        var withdrawn = 0
        for n in 0..<30 {
            #expect(await Self.put(cluster.base(0), "race-\(n)", title: "Race \(n)") == 201)
            if await Self.http("DELETE", cluster.base(1) + "/v1/articles/race-\(n)")?.status == 204 { withdrawn += 1 }
        }
        #expect(withdrawn == 30)
        let gone = await Self.within(2) {
            await Self.http("GET", cluster.base(0) + "/v1/articles/race-29")?.status == 404
        }
        #expect(gone != nil)
    }

    @Test("reindex --journal refuses a model directory without the published version, and prunes nothing")
    func reindexWrongModel() async throws {
        let cluster = try Cluster(count: 1)
        try await cluster.start(0)
        #expect(await Self.put(cluster.base(0), "kept-write", title: "Kept") == 201)
        let database = try ServerDatabase(connectingTo: cluster.journalURL)
        let rows = try database.value("SELECT count(*) FROM kindred_journal")
        let elsewhere = try CLITests().temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: elsewhere) }
        let wrong = try CLITests().kindred([
            "reindex", "--corpus", "corpus", "--model", elsewhere, "--journal", cluster.journalURL,
        ])
        #expect(wrong.status != 0 && wrong.stderr.contains("doesn't hold"), "\(wrong.stderr)")
        #expect(try database.value("SELECT count(*) FROM kindred_journal") == rows)
        // The replicas' directory whose recorded versions are gone (publishes PostgreSQL missed
        // the record of, then --keep) still reindexes: its versions name the journal.
        try database.run("DELETE FROM kindred_models")
        try database.run("INSERT INTO kindred_models (version, absorbed) VALUES ('19990101T000000Z', 0)")
        let right = try CLITests().kindred([
            "reindex", "--corpus", "corpus", "--model", cluster.directory, "--journal", cluster.journalURL,
        ])
        #expect(right.status == 0, "\(right.stderr)")
        cluster.kill(0)
        try await cluster.start(0)
        #expect(await Self.http("GET", cluster.base(0) + "/v1/articles/kept-write")?.status == 200)
    }

    @Test("a replica started while PostgreSQL is down serves its model and says so, then catches up")
    func startWithoutDatabase() async throws {
        let cluster = try Cluster(count: 2)
        try await cluster.start(0)
        #expect(await Self.put(cluster.base(0), "written-before", title: "Written before") == 201)
        try cluster.postgreSQL("stop")
        var stopped = true
        defer { if stopped { try? cluster.postgreSQL("start") } }
        try await cluster.start(1)
        let ready = await Self.http("GET", cluster.base(1) + "/readyz")
        #expect(ready?.status == 200 && ready?.body.contains("model only") == true, "\(String(describing: ready))")
        #expect(await Self.http("GET", cluster.base(1) + "/v1/articles/leica-red-dot-leitzphone")?.status == 200)
        try cluster.postgreSQL("start")
        stopped = false
        let caughtUp = await Self.within(10) {
            await Self.http("GET", cluster.base(1) + "/v1/articles/written-before")?.status == 200
        }
        #expect(caughtUp != nil, "the replica did not catch up once PostgreSQL was back")
        let after = await Self.http("GET", cluster.base(1) + "/readyz")
        #expect(after?.status == 200 && after?.body.contains("\"status\":\"ready\"") == true)
    }

    @Test("--max-journal-entries holds on a replica: past it, writes get 503 and nothing is written")
    func replicaJournalLimit() async throws {
        let cluster = try Cluster(count: 1)
        try await cluster.start(0, ["--max-journal-entries", "3"])
        for n in 0..<3 { #expect(await Self.put(cluster.base(0), "limit-\(n)", title: "Limit \(n)") == 201) }
        let refused = await Self.http(
            "PUT", cluster.base(0) + "/v1/articles/limit-3", json: #"{"title": "Over", "body": "Over the limit"}"#)
        #expect(refused?.status == 503 && refused?.body.contains("kindred reindex") == true)
        let database = try ServerDatabase(connectingTo: cluster.journalURL)
        #expect(try database.value("SELECT count(*) FROM kindred_journal") == "3")
    }

    @Test("a replica refuses a model whose sequence counts another journal's entries")
    func foreignModel() async throws {
        let cluster = try Cluster(count: 1)
        let local = try CLITests().temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: local) }
        try FileManager.default.createDirectory(atPath: local, withIntermediateDirectories: true)
        // A directory whose own journal.jsonl reached entry 500 before its reindex.
        let entry = JournalEntry(sequence: 500, operation: .delete("football-derby-result"))
        try Journal.encode(entry).write(to: URL(fileURLWithPath: local + "/" + Journal.fileName))
        let built = try CLITests().kindred(["reindex", "--corpus", "corpus", "--model", local])
        #expect(built.status == 0, "\(built.stderr)")
        let refused = try CLITests().kindred(
            ["serve", "--port", "0", "--model", local, "--journal", cluster.journalURL], timeout: 30)
        #expect(refused.status != 0 && refused.stderr.contains("another journal"), "\(refused.stderr)")
        // A model of this journal whose publication was never recorded (PostgreSQL went away
        // between the files and the record) is its own: its manifest names the journal.
        try await cluster.start(0)
        #expect(await Self.put(cluster.base(0), "before-publish", title: "Before") == 201)
        let reindex = try CLITests().kindred([
            "reindex", "--corpus", "corpus", "--model", cluster.directory, "--journal", cluster.journalURL,
        ])
        #expect(reindex.status == 0, "\(reindex.stderr)")
        try ServerDatabase(connectingTo: cluster.journalURL).run("DELETE FROM kindred_models")
        cluster.kill(0)
        try await cluster.start(0)
        #expect(await Self.http("GET", cluster.base(0) + "/v1/articles/before-publish")?.status == 200)
    }
}
