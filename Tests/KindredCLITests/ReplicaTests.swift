import DatabaseTestSupport
import Foundation
import KindredEngine
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Three `kindred serve` processes on one model directory and one PostgreSQL journal
/// (`--journal postgresql://…`), on the server scripts/databases.sh started.
@Suite("replicas sharing a PostgreSQL journal", .enabled(if: TestServers.available), .serialized, .tags(.slow))
struct ReplicaTests {
    /// A database and a login of their own for one test, so that the test can take the login
    /// away (an outage) without touching anything else.
    final class Cluster: @unchecked Sendable {
        let database: ServerDatabase
        let role: String
        let journalURL: String
        let directory: String
        var replicas: [Process?] = []
        var ports: [Int] = []

        init(count: Int) throws {
            database = try ServerDatabase(.postgresql)
            role = "replica_" + UUID().uuidString.prefix(8).lowercased()
            try database.run("CREATE ROLE \(role) LOGIN PASSWORD 'replica-secret'")
            try database.run("GRANT ALL ON SCHEMA public TO \(role)")
            var components = try #require(URLComponents(string: database.url))
            (components.user, components.password) = (role, "replica-secret")
            journalURL = try #require(components.string)
            directory = try CLITests().temporaryDirectory()
            let built = try CLITests().kindred([
                "reindex", "--corpus", "corpus", "--model", directory, "--journal", journalURL,
            ])
            #expect(built.status == 0, "\(built.stderr)")
            for _ in 0..<count {
                ports.append(Int.random(in: 20_000..<50_000))
                replicas.append(nil)
            }
        }

        deinit {
            for process in replicas.compactMap({ $0 }) where process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
            try? FileManager.default.removeItem(atPath: directory)
        }

        func base(_ replica: Int) -> String { "http://127.0.0.1:\(ports[replica])" }

        func start(_ replica: Int, _ extra: [String] = []) async throws {
            let (process, ready) = try await CLITests().startServer(
                port: ports[replica], ["--model", directory, "--journal", journalURL] + extra)
            replicas[replica] = process
            #expect(ready?.status == 200, "replica \(replica) did not start")
        }

        func kill(_ replica: Int) {
            guard let process = replicas[replica] else { return }
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }

        /// Stops or starts the test PostgreSQL itself (scripts/databases.sh's control script).
        /// The suite runs alone (scripts/test.sh's last pass), so no other test loses its database.
        /// Spawned and reaped directly: the server `pg_ctl start` leaves running inherits the
        /// child's descriptors, and Foundation's `Process` then never sees the child end.
        func postgreSQL(_ action: String) throws {
            let control = try #require(
                TestServers.environment["KINDRED_TEST_POSTGRESQL_CONTROL"], "scripts/databases.sh sets it")
            let command = "exec \(control) \(action) </dev/null >/dev/null 2>&1"
            var pid: pid_t = 0
            let words: [String] = ["/bin/sh", "-c", command]
            let arguments: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
            defer { arguments.forEach { free($0) } }
            guard posix_spawn(&pid, "/bin/sh", nil, nil, arguments, environ) == 0 else {
                Issue.record("can't run \(control)")
                return
            }
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            #expect(status == 0, "PostgreSQL \(action) failed")
        }

        func status(_ replica: Int) async throws -> [String: Any] {
            let answer = try #require(await http("GET", base(replica) + "/v1/status"))
            let json = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]
            return try #require(json?["replica"] as? [String: Any])
        }
    }

    /// One request; nil when nothing answers.
    static func http(_ method: String, _ url: String, json: String? = nil) async -> (
        status: Int, body: String, retryAfter: String?
    )? {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.timeoutInterval = 20
        if let json {
            request.httpBody = Data(json.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        guard let (data, response) = try? await URLSession.shared.data(for: request),
            let http = response as? HTTPURLResponse
        else { return nil }
        return (http.statusCode, String(decoding: data, as: UTF8.self), http.value(forHTTPHeaderField: "Retry-After"))
    }

    static func put(_ base: String, _ id: String, title: String) async -> Int? {
        await http(
            "PUT", base + "/v1/articles/\(id)",
            json: #"{"title": "\#(title)", "body": "Xiaomi and Leica put the red dot on a camera phone: \#(title)."}"#)?
            .status
    }

    /// Whether the replica at `base` serves another model than the one `/readyz` showed as
    /// `before`, and is ready on it, within 10 s.
    static func switched(_ base: String, from before: String) async -> Bool {
        await within(10) {
            let now = await http("GET", base + "/readyz")?.body ?? before
            return now != before && now.contains("\"status\":\"ready\"")
        } != nil
    }

    /// Polls `check` every 20 ms; the seconds it took, or nil after `limit` seconds.
    static func within(_ limit: Double, _ check: () async throws -> Bool) async rethrows -> Double? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .milliseconds(Int(limit * 1000)) {
            if try await check() { return Double((ContinuousClock.now - start).components.attoseconds) / 1e18 }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    @Test("a PUT, a DELETE and a pin on one replica reach the two others within a second")
    func writesReachEveryReplica() async throws {
        let cluster = try Cluster(count: 3)
        for replica in 0..<3 { try await cluster.start(replica) }
        #expect(await Self.put(cluster.base(0), "red-dot-renewal", title: "Red dot renewed") == 201)
        for replica in [1, 2] {
            let seen = await Self.within(1) {
                await Self.http("GET", cluster.base(replica) + "/v1/articles/red-dot-renewal")?.status == 200
            }
            #expect(seen != nil, "the PUT on replica 0 did not reach replica \(replica) within 1 s")
        }
        #expect(await Self.http("DELETE", cluster.base(2) + "/v1/articles/red-dot-renewal")?.status == 204)
        for replica in [0, 1] {
            let gone = await Self.within(1) {
                await Self.http("GET", cluster.base(replica) + "/v1/articles/red-dot-renewal")?.status == 404
            }
            #expect(gone != nil, "the DELETE on replica 2 did not reach replica \(replica)")
        }
        let pinned = await Self.http(
            "PUT", cluster.base(1) + "/v1/articles/leica-red-dot-leitzphone/overrides",
            json: #"{"pinned": ["football-derby-result"]}"#)
        #expect(pinned?.status == 200)
        let applied = await Self.within(1) {
            let related = await Self.http("GET", cluster.base(0) + "/v1/articles/leica-red-dot-leitzphone/related?k=1")
            return related?.body.contains("\"football-derby-result\"") == true
        }
        #expect(applied != nil, "the pin set on replica 1 is not applied on replica 0")
    }

    @Test(
        "concurrent writes on all three, a writer holding its commit, a replica SIGKILLed and restarted: all end the same, nothing acknowledged lost"
    )
    func concurrentWrites() async throws {
        let cluster = try Cluster(count: 3)
        for replica in 0..<3 { try await cluster.start(replica) }
        let perReplica = 670  // about 2,000 writes in all
        let acknowledged = AcknowledgedWrites()

        // The commit-order trap: a writer takes its sequence, then holds its commit while others
        // commit; a reader that skipped past it would never apply it.
        let holder = try ServerDatabase(connectingTo: cluster.journalURL)
        let held = Task {
            try await Task.sleep(for: .milliseconds(300))
            let entry = try String(
                decoding: Journal.encode(
                    JournalEntry(
                        sequence: 1,
                        operation: .put(
                            text: Article(id: "held-writer", title: "Held", body: "Held commit", language: "en"))
                    )
                ).dropLast(), as: UTF8.self)
            try holder.run("BEGIN")
            try holder.run("SELECT pg_advisory_xact_lock(7212001)")
            try holder.run("INSERT INTO kindred_journal (article_id, entry) VALUES ('held-writer', ?)", [entry])
            try await Task.sleep(for: .seconds(1))
            try holder.run("SELECT pg_notify('kindred', 'journal')")
            try holder.run("COMMIT")
        }
        await withTaskGroup(of: Void.self) { group in
            for replica in 0..<3 {
                group.addTask {
                    for n in 0..<perReplica {
                        let id = "w\(replica)-\(n % 200)"
                        if let status = await Self.put(cluster.base(replica), id, title: "write \(n)"),
                            status == 200 || status == 201
                        {
                            await acknowledged.add(id, title: "write \(n)")
                        }
                    }
                }
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(2))
                cluster.kill(2)
                try? await Task.sleep(for: .milliseconds(500))
                try? await cluster.start(2)
            }
        }
        try await held.value
        let total = await acknowledged.count
        #expect(total > 1000, "only \(total) writes acknowledged")

        // Every replica reaches the same head, and serves every acknowledged write's last title.
        var applied: [Int] = []
        for replica in 0..<3 {
            let settled = try await Self.within(10) {
                let status = try await cluster.status(replica)
                return status["lag_entries"] as? Int == 0
            }
            #expect(settled != nil, "replica \(replica) did not catch up")
            applied.append(try await cluster.status(replica)["applied_sequence"] as? Int ?? -1)
        }
        #expect(Set(applied).count == 1, "applied sequences differ: \(applied)")
        let expected = await acknowledged.last
        for replica in 0..<3 {
            #expect(await Self.http("GET", cluster.base(replica) + "/v1/articles/held-writer")?.status == 200)
            for (id, title) in expected.sorted(by: { $0.key < $1.key }) {
                let body = await Self.http("GET", cluster.base(replica) + "/v1/articles/\(id)")?.body ?? ""
                // Replica 2's last write before its SIGKILL may be committed without its answer
                // having arrived: there, the article must exist, its title may be a later one.
                let ok = id.hasPrefix("w2-") ? body.contains("\"write ") : body.contains("\"\(title)\"")
                #expect(ok, "replica \(replica), \(id): \(body)")
            }
            let lists = await Self.http(
                "GET", cluster.base(replica) + "/v1/articles/leica-red-dot-leitzphone/related?k=10")
            let first = await Self.http("GET", cluster.base(0) + "/v1/articles/leica-red-dot-leitzphone/related?k=10")
            #expect(lists?.body == first?.body)
        }
    }

    @Test(
        "PostgreSQL stopped: writes get 503 with Retry-After, reads go on; started again: writes resume without a restart"
    )
    func outage() async throws {
        let cluster = try Cluster(count: 2)
        for replica in 0..<2 { try await cluster.start(replica) }
        #expect(await Self.put(cluster.base(0), "before-outage", title: "Before") == 201)
        try cluster.postgreSQL("stop")
        var stopped = true
        defer { if stopped { try? cluster.postgreSQL("start") } }  // whatever fails below, the next suites get it back
        let refused = await Self.http(
            "PUT", cluster.base(1) + "/v1/articles/during-outage",
            json: #"{"title": "During", "body": "Refused while the journal is away."}"#)
        #expect(refused?.status == 503 && refused?.retryAfter == "5", "\(String(describing: refused))")
        let read = await Self.http("GET", cluster.base(1) + "/v1/articles/leica-red-dot-leitzphone/related?k=3")
        #expect(read?.status == 200)
        let unready = await Self.within(3) {
            await Self.http("GET", cluster.base(0) + "/readyz")?.body.contains("\"journal\":\"unreachable\"") == true
        }
        #expect(unready != nil, "/readyz does not say the journal is unreachable")
        let metrics = await Self.http("GET", cluster.base(0) + "/metrics")?.body ?? ""
        #expect(metrics.contains("kindred_journal_reachable 0"))

        try cluster.postgreSQL("start")
        stopped = false
        let resumed = await Self.within(10) { await Self.put(cluster.base(1), "after-outage", title: "After") == 201 }
        #expect(resumed != nil, "writes did not resume")
        for replica in 0..<2 {
            for id in ["before-outage", "after-outage"] {
                let seen = await Self.within(2) {
                    await Self.http("GET", cluster.base(replica) + "/v1/articles/\(id)")?.status == 200
                }
                #expect(seen != nil, "replica \(replica) lacks \(id)")
            }
            #expect(await Self.http("GET", cluster.base(replica) + "/v1/articles/during-outage")?.status == 404)
        }
    }

    @Test(
        "reindex --journal publishes: every replica switches within 10 s, keeping writes made during it; a second reindex waits its turn"
    )
    func publishedModel() async throws {
        let cluster = try Cluster(count: 3)
        for replica in 0..<3 { try await cluster.start(replica) }
        let before = await Self.http("GET", cluster.base(0) + "/readyz")?.body ?? ""
        // A second reindex while one holds the lock fails at once, saying why.
        let holder = try ServerDatabase(connectingTo: cluster.journalURL)
        try holder.run("SELECT pg_advisory_lock(7212003)")
        let blocked = try CLITests().kindred([
            "reindex", "--corpus", "corpus", "--model", cluster.directory, "--journal", cluster.journalURL,
        ])
        #expect(blocked.status == 1 && blocked.stderr.contains("another 'kindred reindex --journal' is running"))
        try holder.run("SELECT pg_advisory_unlock(7212003)")

        let reindex = Task.detached {
            try CLITests().kindred([
                "reindex", "--corpus", "corpus", "--model", cluster.directory, "--journal", cluster.journalURL,
                "--dimensions", "40",
            ])
        }
        #expect(await Self.put(cluster.base(1), "during-reindex", title: "During") == 201)
        let run = try await reindex.value
        #expect(run.status == 0, "\(run.stderr)")
        for replica in 0..<3 {
            #expect(await Self.switched(cluster.base(replica), from: before), "replica \(replica) did not switch")
            #expect(await Self.http("GET", cluster.base(replica) + "/v1/articles/during-reindex")?.status == 200)
        }
    }
}

extension ReplicaTests {
    @Test("related, similar and overrides with --journal see and change what the replicas serve")
    func commandsOnTheJournal() async throws {
        let cluster = try Cluster(count: 1)
        try await cluster.start(0)
        #expect(await Self.put(cluster.base(0), "red-dot-renewal", title: "Red dot renewed") == 201)
        let cli = CLITests()
        let similar = try cli.kindred([
            "similar", "--title", "Red dot renewed", "--model", cluster.directory, "--journal", cluster.journalURL,
            "-k", "3",
        ])
        #expect(similar.status == 0 && similar.stdout.contains("red-dot-renewal"), "\(similar.stderr)")
        let pinned = try cli.kindred([
            "overrides", "set", "leica-red-dot-leitzphone", "--pin", "red-dot-renewal", "--model", cluster.directory,
            "--journal", cluster.journalURL,
        ])
        #expect(pinned.status == 0, "\(pinned.stderr)")
        let related = try cli.kindred([
            "related", "leica-red-dot-leitzphone", "--model", cluster.directory, "--journal", cluster.journalURL, "-k",
            "1",
        ])
        #expect(related.stdout.contains("red-dot-renewal"), "\(related.stdout)")
        let applied = await Self.within(2) {
            await Self.http("GET", cluster.base(0) + "/v1/articles/leica-red-dot-leitzphone/related?k=1")?.body
                .contains("\"red-dot-renewal\"") == true
        }
        #expect(applied != nil, "the replica did not apply the pin set with kindred overrides --journal")
        let shown = try cli.kindred([
            "overrides", "show", "--model", cluster.directory, "--journal", cluster.journalURL,
        ])
        #expect(shown.stdout.contains("pinned:  red-dot-renewal"))
        #expect(
            try cli.kindred([
                "overrides", "clear", "leica-red-dot-leitzphone", "--model", cluster.directory, "--journal",
                cluster.journalURL,
            ]).status == 0)
        let plain = try cli.kindred(["related", "red-dot-renewal", "--model", cluster.directory])
        #expect(plain.status == 1, "without --journal the directory's own journal does not have the article")
    }
}

/// The writes the servers acknowledged, and each id's last acknowledged title.
actor AcknowledgedWrites {
    private(set) var count = 0
    private(set) var last: [String: String] = [:]

    func add(_ id: String, title: String) {
        count += 1
        last[id] = title
    }
}
