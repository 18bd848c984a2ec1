import Foundation
import Testing

@testable import KindredEngine

@Suite("Corpus reader")
struct CorpusReaderTests {
    func read(_ lines: String) -> CorpusReader.Result {
        CorpusReader().read(data: Data(lines.utf8), file: "test.jsonl")
    }

    @Test("reads every field and ignores unknown ones")
    func fields() throws {
        let result = read(
            """
            {"id":"a","title":"T","body":"B","url":"https://x/a","published_at":"2026-03-04T09:30:00+01:00","section":"s","language":"de-CH","tags":["x","y"],"extra":{"n":1}}
            """)
        #expect(result.problems.isEmpty)
        let article = try #require(result.articles.first)
        #expect(article.id == "a" && article.title == "T" && article.body == "B" && article.url == "https://x/a")
        #expect(article.section == "s" && article.language == "de-CH" && article.tags == ["x", "y"])
        #expect(article.publishedAt == RFC3339.parse("2026-03-04T08:30:00Z"))
    }

    @Test("language defaults to English; a body alone or a title alone is enough")
    func defaults() {
        let result = read("{\"id\":\"a\",\"body\":\"only a body\"}\n{\"id\":\"b\",\"title\":\"only a title\"}\n")
        #expect(result.articles.map(\.language) == ["en", "en"])
        #expect(result.problems.isEmpty)
    }

    @Test("blank lines are skipped, not counted as problems")
    func blankLines() {
        let result = read("\n{\"id\":\"a\",\"title\":\"x\"}\n   \n\r\n{\"id\":\"b\",\"title\":\"y\"}")
        #expect(result.articles.count == 2)
        #expect(result.lines == 2)
        #expect(result.problems.isEmpty)
    }

    @Test(
        "each kind of bad line is reported with its line number and reason",
        arguments: [
            ("{\"id\": \"a\", \"title\": ", "malformed JSON"),
            ("[1, 2]", "expected a JSON object"),
            ("{\"title\": \"no id\"}", "missing 'id'"),
            ("{\"id\": \"  \", \"title\": \"x\"}", "empty 'id'"),
            ("{\"id\": 7, \"title\": \"x\"}", "field 'id' must be a string"),
            ("{\"id\": \"a\"}", "neither a title nor a body"),
            ("{\"id\": \"a\", \"title\": \" \", \"body\": \"\"}", "neither a title nor a body"),
            ("{\"id\": \"a\", \"title\": \"x\", \"published_at\": \"yesterday\"}", "not an RFC 3339 timestamp"),
            (
                "{\"id\": \"a\", \"title\": \"x\", \"published_at\": \"2026-13-45T00:00:00Z\"}",
                "not an RFC 3339 timestamp"
            ),
            ("{\"id\": \"a\", \"title\": \"x\", \"language\": \"english please\"}", "not a BCP 47 tag"),
            ("{\"id\": \"a\", \"title\": \"x\", \"tags\": \"one\"}", "must be an array of strings"),
            ("{\"id\": \"a\", \"title\": \"x\", \"tags\": [1]}", "must be an array of strings"),
            ("{\"id\": \"a\", \"title\": 3}", "field 'title' must be a string"),
        ])
    func badLine(line: String, reason: String) throws {
        let result = read("{\"id\":\"ok\",\"title\":\"fine\"}\n" + line + "\n")
        #expect(result.articles.map(\.id) == ["ok"])
        let problem = try #require(result.problems.first)
        #expect(result.problems.count == 1)
        #expect(problem.file == "test.jsonl")
        #expect(problem.line == 2)
        #expect(problem.reason.contains(reason), "reason was: \(problem.reason)")
    }

    @Test("a duplicate id is reported with where the first one was")
    func duplicate() throws {
        let result = read("{\"id\":\"a\",\"title\":\"one\"}\n{\"id\":\"a\",\"title\":\"two\"}\n")
        #expect(result.articles.map(\.title) == ["one"])
        #expect(result.problems.first?.reason == "duplicate id 'a' (first at test.jsonl:1)")
    }

    @Test("invalid UTF-8 is reported with the byte position")
    func invalidUTF8() throws {
        var data = Data("{\"id\":\"a\",\"title\":\"ok\"}\n{\"id\":\"b\",\"title\":\"".utf8)
        data.append(contentsOf: [0xC3, 0x28])
        data.append(contentsOf: Array("\"}\n".utf8))
        let result = CorpusReader().read(data: data, file: "bad.jsonl")
        #expect(result.articles.count == 1)
        #expect(result.problems.first?.line == 2)
        #expect(result.problems.first?.reason == "invalid UTF-8 at byte 20 of the line")
    }

    @Test("an over-long id is refused")
    func longID() {
        let id = String(repeating: "x", count: CorpusReader.maximumIDLength + 1)
        #expect(read("{\"id\":\"\(id)\",\"title\":\"t\"}").problems.first?.reason.contains("limit is 512") == true)
    }

    @Test("a directory is read file by file, sorted, and ids are unique across files")
    func directory() throws {
        let directory = try temporaryDirectory()
        defer { cleanUp(directory) }
        try "{\"id\":\"b\",\"title\":\"second file\"}\n".write(
            toFile: directory + "/2.jsonl", atomically: true, encoding: .utf8)
        try "{\"id\":\"a\",\"title\":\"first\"}\n{\"id\":\"b\",\"title\":\"dup\"}\n"
            .write(toFile: directory + "/1.jsonl", atomically: true, encoding: .utf8)
        try "not a corpus".write(toFile: directory + "/notes.txt", atomically: true, encoding: .utf8)
        let result = try CorpusReader().read(path: directory)
        #expect(result.files.map { ($0 as NSString).lastPathComponent } == ["1.jsonl", "2.jsonl"])
        #expect(result.articles.map(\.title) == ["first", "dup"])
        #expect(
            result.problems.first?.description.hasSuffix(
                "2.jsonl:1: duplicate id 'b' (first at \(directory)/1.jsonl:2)") == true)
    }

    @Test("a missing path or an empty directory is an error, not an empty corpus")
    func missing() throws {
        #expect(throws: CorpusError.self) { try CorpusReader().read(path: "/nonexistent/corpus.jsonl") }
        let directory = try temporaryDirectory()
        defer { cleanUp(directory) }
        let error = #expect(throws: CorpusError.self) { try CorpusReader().read(path: directory) }
        #expect(error?.reason.contains("no .jsonl file") == true)
    }

    @Test("the sample corpus is valid and large enough")
    func sampleCorpus() throws {
        let result = try CorpusReader().read(path: Checkout.corpus)
        #expect(result.problems.isEmpty)
        #expect((80...150).contains(result.articles.count))
        for id in [
            "leica-red-dot-leitzphone", "xiaomi-17-ultra-launch", "xiaomi-tag-find-my", "xiaomi-17-global-series",
        ] {
            #expect(result.articles.contains { $0.id == id })
        }
        #expect(Set(result.articles.compactMap(\.section)).count >= 7)
    }
}
