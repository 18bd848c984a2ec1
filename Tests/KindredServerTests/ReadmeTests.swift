import Foundation
import Hummingbird
import HummingbirdTesting
import KindredEngine
import Testing

@testable import KindredServer

/// README.md's `curl` examples, answered by a server on the bundled model: the README shows real
/// output. After rebuilding the bundled model, paste the new output (the failure shows it).
@Suite("README: the HTTP examples are what the server answers")
struct ReadmeTests {
    @Test("every curl example's output is the server's answer on the bundled model")
    func curlExamples() async throws {
        let examples = try ReadmeExamples.all(in: Fixture.root.appendingPathComponent("README.md"))
            .filter { $0.command.hasPrefix("curl -s 'http://127.0.0.1:8080") }
        #expect(examples.count >= 2)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "kindred-readme-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Fixture.root.appendingPathComponent("models/default"), to: directory)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (app, _) = try Fixture.application(directory: directory.path)
        let answers = Collected<Data>()
        let paths = examples.map { example in
            let url = example.command.split(separator: "'")[1]
            return String(url.dropFirst("http://127.0.0.1:8080".count))
        }
        try await app.test(.router) { client in
            for path in paths {
                try await client.execute(uri: path, method: .get) { answers.append(Data($0.body.readableBytesView)) }
            }
        }
        for (example, answer) in zip(examples, answers.all) {
            let shown = try JSONSerialization.jsonObject(with: Data(example.output.utf8))
            let actual = try JSONSerialization.jsonObject(with: answer)
            var differences: [String] = []
            ServerAnswersTests.compare(shown, actual, at: example.command, into: &differences)
            #expect(
                differences.isEmpty,
                "README is out of date; the server answers: \(String(decoding: answer, as: UTF8.self))")
        }
    }
}
