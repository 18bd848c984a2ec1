import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Runs the built `kindred` executable and checks exit codes, output and messages.
@Suite("kindred CLI", .serialized)
struct CLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The executable SwiftPM built beside this test bundle.
    static let executable: URL = {
        var candidates: [URL] = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        if let first = CommandLine.arguments.first {
            candidates.append(URL(fileURLWithPath: first).deletingLastPathComponent())
        }
        for directory in candidates {
            let url = directory.appendingPathComponent("kindred")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return root.appendingPathComponent(".build/debug/kindred")
    }()

    struct Run: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the executable with its standard streams on temporary files (no pipe buffers to fill).
    @discardableResult
    /// Runs `kindred` to its end; with `timeout`, a run still going after that many seconds is
    /// terminated (SIGTERM), so a command that should have refused to start can't hang the suite.
    func kindred(
        _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:], timeout: Double? = nil
    ) throws -> Run {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let paths = (input: directory + "/stdin", output: directory + "/stdout", error: directory + "/stderr")
        _ = FileManager.default.createFile(atPath: paths.input, contents: Data((stdin ?? "").utf8))
        _ = FileManager.default.createFile(atPath: paths.output, contents: nil)
        _ = FileManager.default.createFile(atPath: paths.error, contents: nil)
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        process.currentDirectoryURL = Self.root
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardInput = FileHandle(forReadingAtPath: paths.input)
        process.standardOutput = FileHandle(forWritingAtPath: paths.output)
        process.standardError = FileHandle(forWritingAtPath: paths.error)
        try process.run()
        if let timeout {
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
                if process.isRunning { process.terminate() }
            }
        }
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus,
            stdout: try String(contentsOfFile: paths.output, encoding: .utf8),
            stderr: try String(contentsOfFile: paths.error, encoding: .utf8))
    }

    func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kindred-cli-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("related on the bundled model returns the three Xiaomi stories for the Leica one")
    func relatedDefaultModel() throws {
        let run = try kindred(["related", "leica-red-dot-leitzphone", "-k", "3", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        #expect(json?["id"] as? String == "leica-red-dot-leitzphone")
        let results = try #require(json?["results"] as? [[String: Any]])
        #expect(
            Set(results.compactMap { $0["id"] as? String })
                == ["xiaomi-17-ultra-launch", "xiaomi-tag-find-my", "xiaomi-17-global-series"])
        for result in results {
            #expect(
                Set(result.keys) == [
                    "id", "title", "url", "section", "published_at", "score", "reason", "already_linked",
                ])
        }
        #expect((results.first?["published_at"] as? String)?.hasSuffix("Z") == true)
    }

    @Test("ranking options: a short list says so, explanations print, bad values are usage errors")
    func rankingOptions() throws {
        let short = try kindred(["related", "leica-red-dot-leitzphone", "-k", "12", "--min-score", "0.3"])
        #expect(short.status == 0, "\(short.stderr)")
        #expect(short.stdout.contains("of 12;") && short.stdout.contains("below the relevance floor"))
        let filled = try kindred([
            "related", "leica-red-dot-leitzphone", "-k", "12", "--min-score", "0.3", "--fallback", "section",
        ])
        #expect(filled.stdout.split(separator: "\n").filter { $0.contains("[fallback]") }.count > 0)
        let explained = try kindred(["related", "leica-red-dot-leitzphone", "-k", "1", "--explain"])
        #expect(explained.stdout.contains("shared terms: xiaomi"))
        #expect(explained.stdout.contains("dimensions: #"))
        let off = try kindred([
            "related", "leica-red-dot-leitzphone", "-k", "84", "--min-score", "-1", "--results-language", "any",
            "--dedupe", "off", "--json",
        ])
        let json = try JSONSerialization.jsonObject(with: Data(off.stdout.utf8)) as? [String: Any]
        #expect((json?["results"] as? [[String: Any]])?.count == 84)
        for (option, value, message) in [
            ("--diversity", "2", "diversity"), ("--max-age", "soon", "max-age"), ("--fallback", "latest", "fallback"),
            ("--freshness", "0.5", "half-life"), ("--results-language", "not a tag", "BCP 47"),
        ] {
            let run = try kindred(["related", "leica-red-dot-leitzphone", option, value])
            #expect(run.status == 64, "\(option)")
            #expect(run.stderr.contains(message), "\(option): \(run.stderr)")
        }
    }

    @Test("several ids make one topic query; --unlike pushes away")
    func topicQuery() throws {
        let run = try kindred([
            "related", "xiaomi-17-ultra-launch", "xiaomi-tag-find-my", "--unlike", "leica-sl3-firmware", "-k", "84",
            "--min-score", "-1", "--json",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        let ids = (json?["results"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(ids.first == "xiaomi-17-global-series")
        #expect(!ids.contains("leica-sl3-firmware") && !ids.contains("xiaomi-tag-find-my"))
    }

    @Test("similar leaves out or flags what the draft links to")
    func similarLinks() throws {
        let text = "The Leica red dot comes to Xiaomi phones; see xiaomi-17-global-series."
        let flagged = try kindred([
            "similar", "--text", text, "--linked", "flag", "--link", "xiaomi-17-ultra-launch", "-k", "3",
        ])
        #expect(flagged.status == 0, "\(flagged.stderr)")
        #expect(flagged.stdout.split(separator: "\n").filter { $0.contains("already linked") }.count == 2)
        let excluded = try kindred(["similar", "--text", text, "--link", "xiaomi-17-ultra-launch", "-k", "3"])
        #expect(
            !excluded.stdout.contains("xiaomi-17-global-series") && !excluded.stdout.contains("xiaomi-17-ultra-launch"))
        #expect(try kindred(["similar", "--text", text, "--linked", "keep"]).status == 64)
    }

    @Test("overrides: set pins and blocks, related applies them, a reindex keeps them, clear removes them")
    func overrides() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(try kindred(["reindex", "--corpus", "corpus", "--model", directory]).status == 0)
        let set = try kindred([
            "overrides", "set", "leica-red-dot-leitzphone", "--pin", "football-derby-result", "--block",
            "xiaomi-17-ultra-launch", "--model", directory,
        ])
        #expect(set.status == 0, "\(set.stderr)")
        func related() throws -> [[String: Any]] {
            let run = try kindred(["related", "leica-red-dot-leitzphone", "-k", "3", "--json", "--model", directory])
            let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
            return json?["results"] as? [[String: Any]] ?? []
        }
        var results = try related()
        #expect(results.first?["id"] as? String == "football-derby-result")
        #expect(results.first?["reason"] as? String == "pinned")
        #expect(!results.contains { $0["id"] as? String == "xiaomi-17-ultra-launch" })
        let shown = try kindred(["overrides", "show", "--model", directory])
        #expect(shown.stdout.contains("leica-red-dot-leitzphone") && shown.stdout.contains("football-derby-result"))
        #expect(try kindred(["reindex", "--corpus", "corpus", "--model", directory]).status == 0)
        #expect(try related().first?["id"] as? String == "football-derby-result")
        let unknown = try kindred([
            "overrides", "set", "leica-red-dot-leitzphone", "--pin", "no-such", "--model", directory,
        ])
        #expect(unknown.status == 1 && unknown.stderr.contains("can't pin 'no-such'"))
        let itself = try kindred([
            "overrides", "set", "leica-red-dot-leitzphone", "--pin", "leica-red-dot-leitzphone", "--model", directory,
        ])
        #expect(itself.status == 64 && itself.stderr.contains("its own list"))
        #expect(try kindred(["overrides", "clear", "leica-red-dot-leitzphone", "--model", directory]).status == 0)
        results = try related()
        #expect(results.first?["id"] as? String == "xiaomi-17-ultra-launch")
        let again = try kindred(["overrides", "clear", "leica-red-dot-leitzphone", "--model", directory])
        #expect(again.status == 1 && again.stderr.contains("has no overrides"))
    }

    @Test("an unknown id fails with exit status 1 and says so")
    func unknownID() throws {
        let run = try kindred(["related", "no-such-id"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("no article with id 'no-such-id'"))
    }

    @Test("a bad -k is a usage error (64) with the range")
    func badK() throws {
        let run = try kindred(["related", "leica-red-dot-leitzphone", "-k", "0"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("between 1 and 10000"))
    }

    @Test("a missing model directory says how to build one")
    func missingModel() throws {
        let run = try kindred(["related", "x", "--model", "/nonexistent/models"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("kindred reindex"))
    }

    @Test("similar reads a draft from standard input")
    func similarStdin() throws {
        let run = try kindred(
            ["similar", "-k", "2", "--json"], stdin: "Xiaomi tag tracker works with Apple Find My and Google Find Hub")
        #expect(run.status == 0, "\(run.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        let results = try #require(json?["results"] as? [[String: Any]])
        #expect(results.first?["id"] as? String == "xiaomi-tag-find-my")
    }

    @Test("similar refuses an empty draft")
    func similarEmpty() throws {
        let run = try kindred(["similar"], stdin: "   ")
        #expect(run.status == 1)
        #expect(run.stderr.contains("the draft is empty"))
    }

    @Test("neighbors prints one JSON line per article with k neighbours each")
    func neighbors() throws {
        let run = try kindred(["neighbors", "-k", "4"])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n")
        let corpusLines = try FileManager.default.contentsOfDirectory(
            atPath: Self.root.appendingPathComponent("corpus").path
        )
        .filter { $0.hasSuffix(".jsonl") }
        .map { try String(contentsOf: Self.root.appendingPathComponent("corpus/\($0)"), encoding: .utf8) }
        .map { $0.split(separator: "\n").count }.reduce(0, +)
        #expect(lines.count == corpusLines)
        for line in lines {
            let json = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            let neighbors = try #require(json?["neighbors"] as? [[String: Any]])
            #expect(neighbors.count == 4)
            #expect(!neighbors.contains { $0["id"] as? String == json?["id"] as? String })
        }
    }

    @Test("inspect shows the manifest, the BLAS and the top terms")
    func inspect() throws {
        let run = try kindred(["inspect", "--show-dimensions", "2"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("\"corpus_digest\""))
        #expect(run.stdout.contains("BLAS now:"))
        #expect(run.stdout.contains("dimension 2 (σ"))
        // The CPU class and the int8 engine with its reason; under a cap, the cap and the kernel.
        #expect(run.stdout.contains("CPU now: ") && run.stdout.contains("; class "), "\(run.stdout)")
        #expect(run.stdout.contains("search: int8 "))
        let capped = try kindred(
            ["inspect", "--show-dimensions", "0"],
            environment: ["KINDRED_MAX_CPU_ISA": "BASELINE", "ONEDNN_MAX_CPU_ISA": "SSE41"])
        #expect(capped.status == 0, "\(capped.stderr)")
        #expect(
            capped.stdout.contains("capped by KINDRED_MAX_CPU_ISA=BASELINE: Kindred kernels baseline"),
            "\(capped.stdout)")
        #expect(capped.stdout.contains("search: int8 kindred baseline ("), "\(capped.stdout)")
        #expect(capped.stdout.contains("scan baseline"), "\(capped.stdout)")
    }

    @Test("reindex refuses a corpus with bad lines, names them, and leaves the model untouched")
    func reindexInvalid() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let corpus = directory + "/corpus.jsonl"
        var text = try String(contentsOf: Self.root.appendingPathComponent("corpus/sports.jsonl"), encoding: .utf8)
        text += "{\"id\": \"broken\", \"title\": \n{\"id\": \"dated\", \"title\": \"x\", \"published_at\": \"soon\"}\n"
        try text.write(toFile: corpus, atomically: true, encoding: .utf8)
        let models = directory + "/models"
        let run = try kindred(["reindex", "--corpus", corpus, "--model", models])
        #expect(run.status == 1)
        #expect(run.stderr.contains("corpus.jsonl:12: malformed JSON"))
        #expect(run.stderr.contains("corpus.jsonl:13: 'published_at' \"soon\" is not an RFC 3339 timestamp"))
        #expect(run.stderr.contains("--skip-invalid"))
        #expect(!FileManager.default.fileExists(atPath: models))

        let skipped = try kindred(["reindex", "--corpus", corpus, "--model", models, "--skip-invalid"])
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(skipped.stderr.contains("skipping 2 invalid line(s)"))
        #expect(skipped.stdout.contains("articles:   11 (2 invalid line(s) skipped)"))
        let related = try kindred(["related", "football-derby-result", "--model", models, "-k", "1"])
        #expect(related.status == 0)
        #expect(related.stdout.contains("champions-league-draw"))
    }

    @Test("reindex with dimensions too large for the corpus fails with advice")
    func reindexDimensions() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let run = try kindred(["reindex", "--corpus", "corpus", "--model", directory, "--dimensions", "300"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("lower --dimensions or add articles"))
    }

    @Test("reindex progress is plain lines when stderr is not a terminal")
    func reindexProgress() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let run = try kindred(["reindex", "--corpus", "corpus", "--model", directory])
        #expect(run.status == 0, "\(run.stderr)")
        for stage in ["read", "analysis", "vocabulary", "weighting", "svd", "vectors", "write"] {
            #expect(run.stderr.contains("\(stage): done in"))
        }
        #expect(!run.stderr.contains("\u{1B}["))
        #expect(run.stdout.contains("dimensions: 84"))
    }

    @Test("help teaches: examples and the corpus format are in it")
    func help() throws {
        let run = try kindred(["reindex", "--help"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("kindred reindex --corpus corpus/ --model models/default"))
        #expect(run.stdout.contains("published_at"))
        #expect(run.stdout.contains("--skip-invalid"))
    }

    @Test("reindex absorbs the journal of server writes and records how far it got")
    func reindexAbsorbsJournal() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = """
            {"seq": 1, "op": "delete", "id": "football-derby-result", "at": "2026-11-25T10:00:00Z"}
            {"seq": 2, "op": "put", "at": "2026-11-25T10:01:00Z", "article": {"id": "xiaomi-tag-2", "title": "Xiaomi Tag 2 tracker", "body": "Works with Apple Find My and Google Find Hub."}}

            """
        try journal.write(toFile: directory + "/journal.jsonl", atomically: true, encoding: .utf8)
        let run = try kindred(["reindex", "--corpus", "corpus", "--model", directory])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("journal: applied 2 change(s)"))
        let manifest = try String(
            contentsOfFile: try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasPrefix("2") }.map { directory + "/" + $0 + "/manifest.json" }.first!, encoding: .utf8)
        #expect(manifest.contains("\"journal_sequence\" : 2"))
        let related = try kindred(["related", "xiaomi-tag-2", "--model", directory, "-k", "3"])
        #expect(related.status == 0)
        #expect(related.stdout.contains("xiaomi-tag-find-my"))
        #expect(try kindred(["related", "football-derby-result", "--model", directory]).status == 1)
    }

    @Test("reindex reads a SQLite source, and says what is wrong with a bad one")
    func reindexFromSQLite() throws {
        let both = try kindred(["reindex", "--corpus", "corpus", "--source", "sqlite:///x.db", "--model", "/tmp/x"])
        #expect(both.status == 64 && both.stderr.contains("give --corpus or --source"))
        let format = try kindred(["reindex", "--corpus", "corpus", "--body-format", "pdf", "--model", "/tmp/x"])
        #expect(format.status == 64 && format.stderr.contains("'pdf'") && format.stderr.contains("--body-format"))
        let missing = try kindred(["reindex", "--source", "sqlite:///nonexistent/kindred.db", "--model", "/tmp/x"])
        #expect(missing.status == 1 && missing.stderr.contains("no such database file"))
        let secret = try kindred([
            "reindex", "--source", "postgresql://reader:s3cret@127.0.0.1:1/news", "--model", "/tmp/x",
        ])
        #expect(secret.status == 1 && secret.stderr.contains("***") && !secret.stderr.contains("s3cret"))
    }

    @Test("serve refuses a bad port or a short admin token before starting")
    func serveBadPort() throws {
        let run = try kindred(["serve", "--port", "70000"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("--port must be 0–65535"))
        let token = try kindred(["serve", "--admin-token", "short"])
        #expect(token.status == 64)
        #expect(token.stderr.contains("at least 16 characters"))
    }

    /// Starts `kindred serve --port PORT --log-level warning` with `arguments` and waits up to 10 s
    /// for `/readyz`.
    ///
    /// - Returns: the process (the caller stops it) and the first `/readyz` answer, nil when none came.
    func startServer(port: Int, _ arguments: [String]) async throws -> (
        process: Process, ready: (status: Int, body: String)?
    ) {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = ["serve", "--port", "\(port)", "--log-level", "warning"] + arguments
        process.currentDirectoryURL = Self.root
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        var ready: (status: Int, body: String)?
        for _ in 0..<100 where ready == nil {
            ready = await get("http://127.0.0.1:\(port)/readyz")
            if ready == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        return (process, ready)
    }

    /// GET a local URL; nil when nothing answers.
    func get(_ url: String) async -> (status: Int, body: String)? {
        guard let (data, response) = try? await URLSession.shared.data(from: URL(string: url)!) else { return nil }
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    @Test("serve: answers over HTTP, reloads on SIGHUP, exits cleanly on SIGTERM")
    func serveSignals() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(try kindred(["reindex", "--corpus", "corpus", "--model", directory]).status == 0)
        let port = Int.random(in: 20_000..<40_000)
        let (process, ready) = try await startServer(port: port, ["--model", directory])
        defer { if process.isRunning { process.terminate() } }
        let base = "http://127.0.0.1:\(port)"
        #expect(ready?.status == 200)
        let first = try #require(ready?.body)
        let related = await get(base + "/v1/articles/leica-red-dot-leitzphone/related?k=3")
        #expect(related?.status == 200 && related?.body.contains("xiaomi-tag-find-my") == true)

        #expect(try kindred(["reindex", "--corpus", "corpus", "--model", directory, "--dimensions", "30"]).status == 0)
        kill(process.processIdentifier, SIGHUP)
        var reloaded = false
        for _ in 0..<100 where !reloaded {
            try await Task.sleep(for: .milliseconds(100))
            if let now = await get(base + "/readyz"), now.body != first { reloaded = true }
        }
        #expect(reloaded, "SIGHUP did not switch to the new model")

        process.terminate()  // SIGTERM
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
    }

    @Test("eval reports the metrics for qrels, section labels and editors' links")
    func eval() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try """
        {"id": "leica-red-dot-leitzphone", "relevant": ["xiaomi-17-ultra-launch", "xiaomi-tag-find-my", "xiaomi-17-global-series"]}
        {"id": "not-in-corpus", "relevant": ["xiaomi-tag-find-my"]}

        """.write(toFile: directory + "/qrels.jsonl", atomically: true, encoding: .utf8)
        let run = try kindred(["eval", "--corpus", "corpus", "--qrels", directory + "/qrels.jsonl", "-k", "3"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("1 queries (1 skipped"))
        #expect(run.stdout.contains("recall@3:    1.0000"))
        #expect(run.stdout.contains("nDCG@3:      1.0000"))
        // The three Xiaomi stories score 0.27–0.48: a floor of 0.3 keeps two of the three hits.
        let floors = try kindred([
            "eval", "--corpus", "corpus", "--qrels", directory + "/qrels.jsonl", "-k", "3", "--floors",
        ])
        let line = floors.stdout.split(separator: "\n").first { $0.hasPrefix(" 0.30") }.map(String.init) ?? ""
        #expect(line.split(separator: " ").prefix(2) == ["0.30", "0.6667"], "\(floors.stdout)")

        let labels = try kindred(["eval", "--corpus", "corpus", "--label", "section", "-k", "5", "--json"])
        #expect(labels.status == 0, "\(labels.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(labels.stdout.utf8)) as? [String: Any]
        let metrics = (report?["report"] as? [String: Any])?["metrics"] as? [String: Double]
        #expect((metrics?["precision"] ?? 0) > 0.5)

        var linked = try String(contentsOf: Self.root.appendingPathComponent("corpus/wearables.jsonl"), encoding: .utf8)
        linked +=
            "{\"id\": \"tag-review\", \"title\": \"Xiaomi Tag review\", \"body\": \"A tracker for Find My and Find Hub.\", "
            + "\"related\": [\"https://news.example.com/wearables/google-find-hub-network\"]}\n"
        try linked.write(toFile: directory + "/linked.jsonl", atomically: true, encoding: .utf8)
        let links = try kindred(["eval", "--corpus", directory + "/linked.jsonl", "--links", "-k", "2"])
        #expect(links.status == 0, "\(links.stderr)")
        // The link is a url: it resolves to the article's id, or the query would have no answer.
        #expect(links.stdout.contains("editors' links: 1 queries (0 skipped"))
        #expect(links.stdout.contains("recall@2:    1.0000"))
    }

    @Test("eval needs exactly one source of judgements")
    func evalUsage() throws {
        let run = try kindred(["eval", "--corpus", "corpus"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("exactly one of --qrels, --label section, --links, --pairs"))
    }

    @Test("eval --pairs correlates each pair's score with people's ratings, per language, in text and JSON")
    func evalPairs() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Ratings that follow the stories' relatedness: the Leica story and the Xiaomi launch it is
        // about, the Xiaomi tracker, then unrelated stories; one pair names an unknown article.
        try """
        id1	id2	similarity
        leica-red-dot-leitzphone	xiaomi-17-ultra-launch	3
        leica-red-dot-leitzphone	xiaomi-17-global-series	2.5
        leica-red-dot-leitzphone	xiaomi-tag-find-my	1.5
        leica-red-dot-leitzphone	ecb-holds-rates	0
        xiaomi-su7-deliveries	swiss-glacier-collapse	0
        leica-red-dot-leitzphone	not-in-corpus	0

        """.write(toFile: directory + "/pairs.tsv", atomically: true, encoding: .utf8)
        let run = try kindred(["eval", "--corpus", "corpus", "--pairs", directory + "/pairs.tsv"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("6 pairs, 1 without a score (counted 0)"), "\(run.stdout)")
        let json = try kindred(["eval", "--corpus", "corpus", "--pairs", directory + "/pairs.tsv", "--json"])
        #expect(json.status == 0, "\(json.stderr)")
        let output = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let correlation = output?["correlation"] as? [String: Any]
        let overall = correlation?["overall"] as? [String: Any]
        #expect((overall?["pairs"] as? Int) == 6)
        #expect(((overall?["spearman"] as? Double) ?? 0) > 0.7, "\(json.stdout)")
        #expect(((correlation?["languages"] as? [[String: Any]])?.first?["language"] as? String) == "en")

        try "leica-red-dot-leitzphone\txiaomi-17-ultra-launch\t3\nleica-red-dot-leitzphone\tecb-holds-rates\tvery\n"
            .write(
                toFile: directory + "/bad.tsv", atomically: true, encoding: .utf8)
        let bad = try kindred(["eval", "--corpus", "corpus", "--pairs", directory + "/bad.tsv"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("bad.tsv:2") && bad.stderr.contains("'very' is not a number"), "\(bad.stderr)")
    }

    @Test(
        "reindex chooses the analysis for a multilingual archive, says so, and inspect shows it; a given option stands")
    func multilingualArchive() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // The sample's articles tagged in four languages in turn: no language has 3 in 4.
        let languages = ["en", "de", "fr", "es"]
        var lines: [String] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: Self.root.path + "/corpus").sorted()
        where file.hasSuffix(".jsonl") {
            for line in try String(contentsOfFile: Self.root.path + "/corpus/" + file, encoding: .utf8)
                .split(separator: "\n")
            {
                var article = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                article["language"] = languages[lines.count % languages.count]
                lines.append(String(decoding: try JSONSerialization.data(withJSONObject: article), as: UTF8.self))
            }
        }
        try lines.joined(separator: "\n").write(toFile: directory + "/mixed.jsonl", atomically: true, encoding: .utf8)

        let chosen = try kindred(["reindex", "--corpus", directory + "/mixed.jsonl", "--model", directory + "/model"])
        #expect(chosen.status == 0, "\(chosen.stderr)")
        #expect(
            chosen.stderr.contains(
                "note: analysis for a multilingual archive (en 26 % of 85 articles, 4 languages): no word bigrams, log-entropy weighting"
            ), "\(chosen.stderr)")
        let inspected = try kindred(["inspect", "--model", directory + "/model", "--show-dimensions", "0"])
        #expect(inspected.stdout.contains("analysis for a multilingual archive"), "\(inspected.stdout)")
        #expect(inspected.stdout.contains("\"weighting\" : \"log-entropy\""), "\(inspected.stdout)")

        let given = try kindred([
            "reindex", "--corpus", directory + "/mixed.jsonl", "--model", directory + "/given", "--phrases",
        ])
        #expect(given.status == 0, "\(given.stderr)")
        #expect(given.stderr.contains(": log-entropy weighting"), "\(given.stderr)")
        let shown = try kindred(["inspect", "--model", directory + "/given", "--show-dimensions", "0"])
        #expect(shown.stdout.contains("\"phrases\" : true"), "\(shown.stdout)")

        // The bundled model, built by reindex from the sample corpus, kept the defaults.
        let bundled = try kindred(["inspect", "--show-dimensions", "0"])
        #expect(
            bundled.stdout.contains("\nanalysis for a single-language archive (en 96 % of 85 articles"),
            "\(bundled.stdout)")
    }

    @Test(
        "the approximate index: inspect describes it, --search and --exact choose, recall measures, bad values are usage errors"
    )
    func approximateSearch() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // 1,500 articles on 60 subjects of made-up words: enough for 23 lists.
        var state: UInt64 = 42
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let letters = Array("bdfgklmnprstvz"), vowels = Array("aeiou")
        func word(_ seed: Int) -> String {
            (0..<3).map { i in String([letters[(seed / (i + 1) + i * 7) % letters.count], vowels[(seed >> i) % 5]]) }
                .joined() + String(letters[seed % letters.count])
        }
        let lines = (0..<1_500).map { i -> String in
            let subject = next(60)
            let text = (0..<50).map { _ in next(2) == 0 ? word(subject * 40 + next(40) + 9_000) : word(next(3_000)) }
            return
                #"{"id": "g\#(i)", "title": "\#(text.prefix(5).joined(separator: " "))", "body": "\#(text.joined(separator: " "))"}"#
        }
        try lines.joined(separator: "\n").write(toFile: directory + "/corpus.jsonl", atomically: true, encoding: .utf8)
        let model = directory + "/model"
        let built = try kindred([
            "reindex", "--corpus", directory + "/corpus.jsonl", "--model", model, "--dimensions", "32", "--neighbors",
            "0", "--graph-from", "0",
        ])
        #expect(built.status == 0, "\(built.stderr)")
        let inspected = try kindred(["inspect", "--model", model, "--show-dimensions", "0"])
        #expect(inspected.stdout.contains("approximate index: 23 lists in 5 groups"), "\(inspected.stdout)")
        #expect(inspected.stdout.contains("not used unless --search approximate"), "\(inspected.stdout)")

        func similar(_ options: [String]) throws -> String {
            let run = try kindred(["similar", "--model", model, "--text", lines[7], "-k", "5"] + options)
            #expect(run.status == 0, "\(run.stderr)")
            return run.stdout
        }
        let exact = try similar(["--search", "exact"])
        #expect(try similar(["--search", "approximate", "--exact"]) == exact)
        #expect(try similar(["--search", "approximate", "--probes", "23"]) == exact)
        #expect(exact.contains("g7"))

        // A beam wider than the archive reaches every article the graph links: exact.
        #expect(try similar(["--search", "approximate", "--beam", "4096"]) == exact)

        let recall = try kindred([
            "recall", "--model", model, "--queries", "40", "--probes", "1,23", "--beam", "4096",
        ])
        #expect(recall.status == 0, "\(recall.stderr)")
        for setting in ["lists, 23 probes", "graph, beam 4096"] {
            let rows = recall.stdout.split(separator: "\n").filter { $0.hasPrefix(setting) && $0.contains("by id") }
            #expect(
                rows.count == 1 && rows[0].contains(" 1.0000 ") && rows[0].contains(" 100.0% "), "\(recall.stdout)")
        }
        // The header stands over its columns: the recall's figure ends where its title does.
        let recallLines = recall.stdout.split(separator: "\n").map(String.init)
        func end(of text: String, in line: String?) -> Int? {
            line.flatMap { line in line.range(of: text).map { line.distance(from: line.startIndex, to: $0.upperBound) }
            }
        }
        let header = recallLines.first { $0.hasPrefix("search") }
        let byID = recallLines.first { $0.hasPrefix("graph, beam 4096") && $0.contains("by id") }
        #expect(end(of: "recall@10", in: header) != nil)
        #expect(end(of: "recall@10", in: header) == end(of: "1.0000", in: byID), "\(recall.stdout)")
        // Articles held out of the walk: a row for the graph alone (the lists' would be by id's).
        let heldOut = recall.stdout.split(separator: "\n").filter { $0.contains("held out") }
        #expect(
            heldOut.count == 1 && heldOut[0].hasPrefix("graph, beam 4096") && heldOut[0].contains(" 1.0000 "),
            "\(recall.stdout)")

        let bogus = try kindred(["similar", "--model", model, "--text", "x", "--search", "fast"])
        #expect(bogus.status == 64 && bogus.stderr.contains("--search must be auto, exact or approximate"))
        let zero = try kindred(["recall", "--model", model, "--probes", "0"])
        #expect(zero.status == 64 && zero.stderr.contains("--probes takes positive whole numbers"))
        let wide = try kindred(["recall", "--model", model, "--beam", "5000"])
        #expect(wide.status == 64 && wide.stderr.contains("--beam takes whole numbers from 1 to 4096"))
    }
}
