import Foundation
import Testing

@testable import KindredEngine

@Suite("Journal")
struct JournalTests {
    let put = JournalEntry(
        sequence: 1,
        operation: .put(text: Article(id: "new", title: "A new story", body: "Body", section: "science", tags: ["t"])),
        recordedAt: Date(timeIntervalSince1970: 1_795_000_000))

    @Test("entries round-trip through their JSON line")
    func roundTrip() throws {
        let line = try Journal.encode(put)
        #expect(line.last == 0x0A)
        #expect(try Journal.decode(line.dropLast()) == put)
        let delete = JournalEntry(sequence: 2, operation: .delete("gone"), recordedAt: put.recordedAt)
        #expect(try Journal.decode(Journal.encode(delete).dropLast()) == delete)
    }

    @Test("a put's meaning round-trips bit for bit; one that can't be read costs the meaning, not the write")
    func meaningRoundTrip() throws {
        var vector = (0..<384).map { Float(sin(Double($0) * 0.37)) }
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        vector = vector.map { $0 / norm }
        var entry = put
        entry.meaning = ArticleMeaning(encoder: "0123456789abcdef0123456789abcdef", maxTokens: 128, vector: vector)
        let line = try Journal.encode(entry)
        #expect(String(decoding: line, as: UTF8.self).contains(#""meaning":{"#))
        let decoded = try Journal.decode(line.dropLast())
        #expect(decoded == entry)
        #expect(decoded.meaning?.vector.map(\.bitPattern) == vector.map(\.bitPattern))
        // A hand-edited vector (not unit length, not base64, wrong type): the article is still put.
        for bad in [#""vector":"AAAA""#, #""vector":"not base64!""#, #""vector":7"#] {
            let text = String(decoding: line.dropLast(), as: UTF8.self)
                .replacingOccurrences(of: #""vector":"[^"]*""#, with: bad, options: .regularExpression)
            #expect(text.contains(bad))
            let read = try Journal.decode(Data(text.utf8))
            #expect(read.meaning == nil && read.operation == put.operation, "\(bad)")
        }
    }

    @Test("the writer appends with increasing sequence numbers and the reader reads them back")
    func writeAndRead() throws {
        let directory = try temporaryDirectory()
        defer { cleanUp(directory) }
        let path = directory + "/journal.jsonl"
        let writer = JournalWriter(path: path, lastSequence: 4, count: 0)
        let first = try writer.append(.delete("a"))
        let second = try writer.append(.put(text: Article(id: "b", title: "B")))
        #expect(first.sequence == 5 && second.sequence == 6)
        let (entries, problems) = try Journal.read(path: path)
        #expect(problems.isEmpty)
        #expect(entries.map(\.sequence) == [5, 6])
        try writer.compact(keeping: [second])
        #expect(try Journal.read(path: path).entries.map(\.sequence) == [6])
        _ = try writer.append(.delete("c"))
        #expect(try Journal.read(path: path).entries.map(\.sequence) == [6, 7])
    }

    @Test("bad lines are reported and skipped; a torn last line is called out")
    func badLines() throws {
        let directory = try temporaryDirectory()
        defer { cleanUp(directory) }
        let path = directory + "/journal.jsonl"
        var data = try Journal.encode(put)
        data.append(Data("{\"seq\": 2, \"op\": \"explode\"}\n".utf8))
        data.append(Data("{\"seq\": 3, \"op\": \"put\", \"article\": {\"id\": \"x\"}}\n".utf8))
        data.append(Data("{\"seq\": 4, \"op\": \"del".utf8))
        try data.write(to: URL(fileURLWithPath: path))
        let (entries, problems) = try Journal.read(path: path)
        #expect(entries == [put])
        #expect(problems.map(\.line) == [2, 3, 4])
        #expect(problems[1].reason.contains("neither a title nor a body"))
        #expect(problems[2].reason.contains("incomplete last record"))
        #expect(!problems[0].reason.contains("incomplete"))
    }

    @Test("after a torn last record, the next write starts a new line: nothing acknowledged is glued to it")
    func appendAfterTornRecord() throws {
        let directory = try temporaryDirectory()
        defer { cleanUp(directory) }
        let path = directory + "/journal.jsonl"
        var data = try Journal.encode(put)
        data.append(Data("{\"seq\": 2, \"op\": \"del".utf8))
        try data.write(to: URL(fileURLWithPath: path))
        let writer = JournalWriter(path: path, lastSequence: 2, count: 1)
        let next = try writer.append(.delete("b"))
        let (entries, problems) = try Journal.read(path: path)
        #expect(entries.map(\.sequence) == [1, next.sequence])
        #expect(problems.map(\.line) == [2])
        #expect(!problems[0].reason.contains("incomplete last record"))
    }

    @Test("coalescing keeps the last entry per article, in order, and replays to the same state")
    func coalesce() throws {
        let entries = [
            JournalEntry(sequence: 1, operation: .put(text: Article(id: "a", title: "A1"))),
            JournalEntry(sequence: 2, operation: .put(text: Article(id: "b", title: "B1"))),
            JournalEntry(sequence: 3, operation: .delete("a")),
            JournalEntry(sequence: 4, operation: .put(text: Article(id: "b", title: "B2"))),
            JournalEntry(sequence: 5, operation: .put(text: Article(id: "c", title: "C1"))),
        ]
        let kept = Journal.coalesced(entries)
        #expect(kept.map(\.sequence) == [3, 4, 5])
        var full = LiveIndex(model: Sample.model, version: "v"), short = full
        for entry in entries { full = full.applying(entry) }
        for entry in kept { short = short.applying(entry) }
        for id in ["a", "b", "c"] { #expect(full.metadata(of: id) == short.metadata(of: id)) }
    }

    @Test("applying entries: put replaces or appends, delete removes, in sequence order")
    func apply() {
        let articles = [Article(id: "a", title: "A"), Article(id: "b", title: "B")]
        let entries = [
            JournalEntry(sequence: 3, operation: .put(text: Article(id: "a", title: "A2"))),
            JournalEntry(sequence: 1, operation: .delete("b")),
            JournalEntry(sequence: 2, operation: .put(text: Article(id: "b", title: "B again"))),
            JournalEntry(sequence: 4, operation: .put(text: Article(id: "c", title: "C"))),
            JournalEntry(sequence: 5, operation: .delete("missing")),
        ]
        let result = Journal.apply(entries, to: articles)
        #expect(result.map(\.id) == ["a", "b", "c"])
        #expect(result.map(\.title) == ["A2", "B again", "C"])
    }
}

@Suite("Live index")
struct LiveIndexTests {
    @Test("upserts are searchable in both directions, deletes disappear, filters apply to upserts too")
    func overlay() throws {
        var index = LiveIndex(model: Sample.model, version: "v1")
        index = index.upserting(
            Article(
                id: "tag-2", title: "Xiaomi Tag 2 tracker", body: "Works with Apple Find My and Google Find Hub.",
                section: "wearables"))
        #expect(
            try index.related(to: "tag-2", query: RelatedQuery(k: 3)).results.map(\.article.id).contains(
                "xiaomi-tag-find-my"))
        #expect(
            try index.related(to: "xiaomi-tag-find-my", query: RelatedQuery(k: 3)).results.map(\.article.id).contains(
                "tag-2"))
        let science = try index.related(to: "xiaomi-tag-find-my", query: RelatedQuery(k: 3, section: "science"))
        #expect(!science.results.contains { $0.article.id == "tag-2" })
        let deleted = try #require(index.deleting("tag-2"))
        #expect(deleted.metadata(of: "tag-2") == nil)
        #expect(throws: EngineError.self) { try deleted.related(to: "tag-2", query: RelatedQuery()) }
        #expect(index.deleting("never-there") == nil)
        #expect(deleted.articleCount == Sample.model.articles.count)
    }

    static let withoutLists: Model = {
        var parameters = ModelParameters()
        parameters.neighbors = 0
        return try! ModelBuilder(parameters: parameters).build(Sample.articles).model
    }()

    static let narrowLists: Model = {
        var parameters = ModelParameters()
        parameters.neighbors = 3
        return try! ModelBuilder(parameters: parameters).build(Sample.articles).model
    }()

    @Test("by-id answers from precomputed lists equal exact search, filtered or not, wide or narrow lists")
    func precomputedEqualsExact() throws {
        #expect(Sample.model.neighborLists.width == Sample.articles.count - 1)
        #expect(Self.narrowLists.neighborLists.width == 3)
        #expect(Self.withoutLists.neighborLists.width == 0)
        let exact = LiveIndex(model: Self.withoutLists, version: "exact")
        let queries = [
            RelatedQuery(k: 3), RelatedQuery(k: 10), RelatedQuery(k: 2, section: "wearables"),
            RelatedQuery(k: 3, excludedIDs: ["xiaomi-17-ultra-launch"]), RelatedQuery(k: 3, diversity: 0.5),
            RelatedQuery(
                k: 3, referenceTime: RFC3339.parse("2026-03-11T00:00:00Z"), freshness: Freshness(halfLifeDays: 7)),
        ]
        for model in [Sample.model, Self.narrowLists] {
            let live = LiveIndex(model: model, version: "lists")
            for id in ["leica-red-dot-leitzphone", "xiaomi-tag-find-my", "football-derby-result"] {
                for query in queries {
                    let fromLists = try live.related(to: id, query: query).results
                    let searched = try exact.related(to: id, query: query).results
                    #expect(fromLists.map(\.article.id) == searched.map(\.article.id), "\(id) \(query)")
                    #expect(zip(fromLists, searched).allSatisfy { abs($0.score - $1.score) < 1e-5 })
                }
            }
        }
    }

    @Test("upserts rank in the model's two stages: the same lists when every article is upserted again")
    func upsertsRankLikeRows() throws {
        // A re-rank depth far below the number of upserts: only the nearest by LSA are blended,
        // as for model rows, so upserting every article again (each hides its row) changes nothing.
        var parameters = ModelParameters()
        parameters.neighbors = 0
        parameters.rerankDepth = 5
        let model = try ModelBuilder(parameters: parameters).build(Sample.articles).model
        let rows = LiveIndex(model: model, version: "rows")
        var upserted = rows
        for article in Sample.articles { upserted = upserted.upserting(article) }
        #expect(upserted.upserts.count == Sample.articles.count)
        for id in ["leica-red-dot-leitzphone", "xiaomi-tag-find-my", "football-derby-result"] {
            for query in [RelatedQuery(k: 5), RelatedQuery(k: 3, section: "wearables")] {
                let expected = try rows.related(to: id, query: query).results
                let answered = try upserted.related(to: id, query: query).results
                #expect(answered.map(\.article.id) == expected.map(\.article.id), "\(id) \(query)")
                #expect(zip(answered, expected).allSatisfy { abs($0.score - $1.score) < 1e-4 })
            }
        }
    }

    @Test("precomputed lists skip deleted articles and still see upserted ones")
    func precomputedWithChanges() throws {
        var index = LiveIndex(model: Self.narrowLists, version: "v")
        let before = try index.related(to: "leica-red-dot-leitzphone", query: RelatedQuery(k: 3)).results.map(
            \.article.id)
        index = try #require(index.deleting(before[0]))
        index = index.upserting(
            Article(
                id: "leitzphone-review", title: "Leitzphone review: Leica's red dot on the Xiaomi 17 Ultra",
                body: "The Leica Leitzphone is a Xiaomi 17 Ultra with a rotating camera ring and the red dot logo."))
        let after = try index.related(to: "leica-red-dot-leitzphone", query: RelatedQuery(k: 3)).results.map(
            \.article.id)
        #expect(!after.contains(before[0]))
        #expect(after.first == "leitzphone-review")
        #expect(after.count == 3)
    }
}
