import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Kills real processes with SIGKILL and checks what survives: the model being served, and every
/// write the server acknowledged.
extension CLITests {
    /// A corpus big enough for a reindex to take a while: the sample corpus copied `copies` times
    /// under fresh ids.
    func largeCorpus(in directory: String, copies: Int) throws -> String {
        var lines: [String] = []
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("corpus").path)
        for file in files.sorted() where file.hasSuffix(".jsonl") {
            let text = try String(contentsOf: Self.root.appendingPathComponent("corpus/\(file)"), encoding: .utf8)
            for line in text.split(separator: "\n") {
                guard var object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                    continue
                }
                let id = object["id"] as? String ?? ""
                for copy in 0..<copies {
                    object["id"] = copy == 0 ? id : "\(id)-copy-\(copy)"
                    object["body"] = (object["body"] as? String ?? "") + (copy == 0 ? "" : " Edition \(copy).")
                    object.removeValue(forKey: "url")
                    lines.append(String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self))
                }
            }
        }
        let path = directory + "/large.jsonl"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Starts `kindred` with arguments, output to files in `directory`.
    func start(_ arguments: [String], logs directory: String) throws -> Process {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        process.currentDirectoryURL = Self.root
        _ = FileManager.default.createFile(atPath: directory + "/stdout", contents: nil)
        _ = FileManager.default.createFile(atPath: directory + "/stderr", contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: directory + "/stdout")
        process.standardError = FileHandle(forWritingAtPath: directory + "/stderr")
        try process.run()
        return process
    }

    func sigkill(_ process: Process) {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    @Test(
        "SIGKILL at any point of a reindex leaves the served model loading and answering as before", .tags(.slow))
    func killReindex() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let models = directory + "/models"
        #expect(try kindred(["reindex", "--corpus", "corpus", "--model", models]).status == 0)
        let before = try kindred(["related", "leica-red-dot-leitzphone", "-k", "5", "--json", "--model", models])
        #expect(before.status == 0)
        let versions = try FileManager.default.contentsOfDirectory(atPath: models).filter { !$0.hasPrefix(".") }
        let corpus = try largeCorpus(in: directory, copies: 25)

        // How long an uninterrupted reindex of the large corpus takes, into another directory.
        let clock = ContinuousClock()
        let began = clock.now
        #expect(try kindred(["reindex", "--corpus", corpus, "--model", directory + "/timing"]).status == 0)
        let duration = (clock.now - began).seconds

        var killedBeforePublishing = 0
        for step in 0..<10 {
            let process = try start(["reindex", "--corpus", corpus, "--model", models, "--keep", "9"], logs: directory)
            Thread.sleep(forTimeInterval: duration * (Double(step) + 0.5) / 10)
            sigkill(process)
            let now = try FileManager.default.contentsOfDirectory(atPath: models).filter { !$0.hasPrefix(".") }
            if Set(now) == Set(versions) {
                killedBeforePublishing += 1
                let after = try kindred(["related", "leica-red-dot-leitzphone", "-k", "5", "--json", "--model", models])
                #expect(after.status == 0, "step \(step): \(after.stderr)")
                #expect(after.stdout == before.stdout, "step \(step): the served model changed")
            } else {
                // Killed after the rename: the new version is whole.
                let copy = try kindred(["related", "leica-red-dot-leitzphone-copy-7", "-k", "3", "--model", models])
                #expect(copy.status == 0, "step \(step): \(copy.stderr)")
                try FileManager.default.removeItem(atPath: models + "/" + Set(now).subtracting(versions).sorted().last!)
            }
        }
        #expect(killedBeforePublishing >= 5, "most kills should land before the publish")
        // Left-over temporary directories are never served and the next reindex clears them.
        #expect(try kindred(["reindex", "--corpus", "corpus", "--model", models]).status == 0)
        let hidden = try FileManager.default.contentsOfDirectory(atPath: models).filter { $0.hasPrefix(".incoming") }
        #expect(hidden.isEmpty)
    }

    /// Sends a request to the server; the status, or nil when nothing answered.
    func send(_ method: String, _ url: String, json: [String: Any]? = nil) async -> Int? {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        if let json {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = try? JSONSerialization.data(withJSONObject: json)
        }
        guard let (_, response) = try? await URLSession.shared.data(for: request) else { return nil }
        return (response as? HTTPURLResponse)?.statusCode
    }

    func waitUntilReady(_ base: String, _ process: Process) async throws -> Bool {
        for _ in 0..<200 {
            if await get(base + "/readyz")?.status == 200 { return true }
            if !process.isRunning { return false }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    @Test(
        "SIGKILL right after acknowledged writes loses none; a torn last record is reported and skipped", .tags(.slow))
    func killServer() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let models = directory + "/models"
        #expect(try kindred(["reindex", "--corpus", "corpus", "--model", models]).status == 0)
        var present: [String: String] = [:]  // id → title of every acknowledged PUT still standing
        var deleted = Set<String>()
        var generator = SystemRandomNumberGenerator()
        for round in 0..<4 {
            let port = Int.random(in: 20_000..<40_000)
            let base = "http://127.0.0.1:\(port)"
            let server = try start(
                ["serve", "--model", models, "--port", "\(port)", "--log-level", "info"], logs: directory)
            defer { if server.isRunning { sigkill(server) } }
            #expect(try await waitUntilReady(base, server), "round \(round): the server did not come up")
            if round > 0 {
                // Everything acknowledged before the last SIGKILL is there.
                for (id, title) in present {
                    let article = await get(base + "/v1/articles/\(id)")
                    #expect(article?.status == 200, "round \(round): lost PUT \(id)")
                    #expect(article?.body.contains(title) == true)
                }
                for id in deleted {
                    #expect(await get(base + "/v1/articles/\(id)")?.status == 404, "round \(round): lost DELETE \(id)")
                }
                let log = try String(contentsOfFile: directory + "/stderr", encoding: .utf8)
                #expect(log.contains("journal entry skipped"), "round \(round): the torn record was not reported")
            }
            for write in 0..<15 {
                if write % 4 == 3, let victim = present.keys.sorted().randomElement(using: &generator) {
                    if await send("DELETE", base + "/v1/articles/\(victim)") == 204 {
                        present[victim] = nil
                        deleted.insert(victim)
                    }
                } else {
                    let id = "crash-\(round)-\(write)"
                    let title = "Crash test \(round).\(write): a Leica phone from Xiaomi"
                    let status = await send(
                        "PUT", base + "/v1/articles/\(id)", json: ["title": title, "body": "Xiaomi Leica camera phone"])
                    if status == 201 || status == 200 {
                        present[id] = title
                        deleted.remove(id)
                    }
                }
            }
            sigkill(server)
            // What a crash in the middle of the next write would leave: half a record, no newline.
            let journal = try FileHandle(forWritingTo: URL(fileURLWithPath: models + "/journal.jsonl"))
            try journal.seekToEnd()
            try journal.write(contentsOf: Data(#"{"seq": 99999, "op": "put", "article": {"id": "tor"#.utf8))
            try journal.close()
        }
        #expect(present.count >= 30)
        #expect(!deleted.isEmpty)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}

extension CLITests {
    @Test(
        "every fuzz seed and every past finding replays without a crash",
        arguments: [
            "corpus-reader", "analyzer", "query", "draft", "model-file",
        ])
    func fuzzRegressions(target: String) throws {
        let replayer = Self.executable.deletingLastPathComponent().appendingPathComponent("fuzz-\(target)")
        try #require(
            FileManager.default.isExecutableFile(atPath: replayer.path),
            "\(replayer.path) is missing: build every target with 'swift build --build-tests'")
        let process = Process()
        process.executableURL = replayer
        process.arguments = ["Tests/Fuzz/Corpus/\(target)", "Tests/Fuzz/Regressions/\(target)"]
        process.currentDirectoryURL = Self.root
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "\(target): \(text)")
        #expect(text.contains("replayed"))
    }
}
