import Foundation
import KindredLinearAlgebra
import Testing

@testable import KindredEngine

/// The ranking controls on the sample corpus, through `LiveIndex` as the server and CLI use it.
@Suite("Ranking controls")
struct RankingControlTests {
    let index = LiveIndex(model: Sample.model, version: "test")
    let leica = "leica-red-dot-leitzphone"
    /// A week after the newest phone story.
    let now = RFC3339.parse("2026-03-11T00:00:00Z")!

    func ids(_ list: RelatedList) -> [String] { list.results.map(\.article.id) }

    func article(_ id: String) -> Article { Sample.articles.first { $0.id == id }! }

    @Test("the relevance floor drops weak results and says the list is short")
    func floor() throws {
        let plain = try index.related(to: leica, query: .unshaped(k: 12))
        let floored = try index.related(to: leica, query: RelatedQuery(k: 12, minimumScore: 0.2))
        #expect(floored.results.allSatisfy { $0.score >= 0.2 })
        #expect(ids(floored) == ids(plain).filter { id in plain.results.first { $0.article.id == id }!.score >= 0.2 })
        #expect(!floored.isComplete)
        #expect(floored.belowFloor == 12 - floored.results.count)
        let byDefault = try index.related(to: leica, query: RelatedQuery(k: 12))
        #expect(byDefault.results.allSatisfy { $0.score >= RelatedQuery.defaultMinimumScore })
    }

    @Test("the section fallback fills a short list with the section's newest articles, marked")
    func fallback() throws {
        let query = RelatedQuery(k: 12, minimumScore: 0.2, fallback: .section)
        let list = try index.related(to: leica, query: query)
        #expect(list.results.count == 12)
        #expect(list.isComplete)
        let fills = list.results.filter { $0.reason == .fallback }
        #expect(fills.count == 12 - list.results.filter { $0.reason == .related }.count)
        #expect(fills.allSatisfy { $0.article.section == "phones-cameras" })
        let dates = fills.map { $0.article.publishedAt! }
        #expect(dates == dates.sorted(by: >))
        #expect(Set(ids(list)).count == 12)
        #expect(!ids(list).contains(leica))
        // The newest other phone story is the first fill unless it is already related.
        let related = Set(list.results.filter { $0.reason == .related }.map(\.article.id))
        let newest = Sample.articles.filter {
            $0.section == "phones-cameras" && $0.id != leica && !related.contains($0.id)
        }
        .max { $0.publishedAt! < $1.publishedAt! }!
        #expect(fills.first?.article.id == newest.id)
    }

    @Test("freshness multiplies relevance by the recency factor and re-sorts")
    func freshness() throws {
        let freshness = Freshness(halfLifeDays: 30, weight: 0.8)
        let plain = try index.related(
            to: leica, query: RelatedQuery(k: 30, referenceTime: now, duplicateThreshold: nil))
        let fresh = try index.related(
            to: leica, query: RelatedQuery(k: 30, referenceTime: now, freshness: freshness, duplicateThreshold: nil))
        let relevance = Dictionary(uniqueKeysWithValues: plain.results.map { ($0.article.id, $0.score) })
        for result in fresh.results {
            let expected =
                relevance[result.article.id]! * freshness.factor(published: result.article.publishedAt, now: now)
            #expect(abs(result.score - expected) < 1e-5)
        }
        #expect(fresh.results.map(\.score) == fresh.results.map(\.score).sorted(by: >))
        #expect(ids(fresh) != ids(plain))
        // Old stories fall: the mean age of the top five drops.
        func meanAge(_ list: RelatedList) -> Double {
            list.results.prefix(5).map { now.timeIntervalSince($0.article.publishedAt!) }.reduce(0, +) / 5
        }
        #expect(meanAge(fresh) < meanAge(plain))
    }

    @Test("max_age keeps only articles young enough")
    func maximumAge() throws {
        let list = try index.related(to: leica, query: RelatedQuery(k: 20, maximumAge: 30 * 86_400, referenceTime: now))
        #expect(!list.results.isEmpty)
        #expect(list.results.allSatisfy { now.timeIntervalSince($0.article.publishedAt!) <= 30 * 86_400 })
    }

    @Test("an article PUT after the build enters the lists of the articles it is related to")
    func upsertEntersOtherLists() throws {
        let story = Article(
            id: "leica-xiaomi-17-ultra-edition", title: "Xiaomi 17 Ultra Leica edition wears the red dot",
            body:
                "Xiaomi will sell a Leica edition of the 17 Ultra with the red dot on its back and a Leica camera grip.",
            publishedAt: RFC3339.parse("2026-03-09T08:00:00Z"), section: "phones-cameras", tags: ["Xiaomi", "Leica"])
        let next = index.upserting(story)
        #expect(ids(try next.related(to: leica, query: RelatedQuery(k: 3))).contains(story.id))
        #expect(ids(try next.related(to: "xiaomi-17-ultra-launch", query: RelatedQuery(k: 3))).contains(story.id))
        #expect(!ids(try next.related(to: "football-derby-result", query: RelatedQuery(k: 3))).contains(story.id))
    }

    /// Three rewrites of one wire story, as upserts.
    func withRewrites() throws -> (LiveIndex, [String]) {
        let original = article("airtag-2-range")
        var index = self.index
        var ids: [String] = []
        for (i, lead) in ["Update: ", "Wire: ", "Apple says: "].enumerated() {
            var copy = original
            copy.id = "airtag-2-range-rewrite-\(i)"
            copy.title = lead + original.title
            copy.body = original.body + " \(lead)More details later."
            index = index.upserting(copy)
            ids.append(copy.id)
        }
        return (index, ids)
    }

    @Test("near-duplicates collapse to the best one; 'off' keeps them all")
    func duplicates() throws {
        let (index, rewrites) = try withRewrites()
        let family = Set(rewrites + ["airtag-2-range"])
        let kept = try index.related(to: "xiaomi-tag-find-my", query: RelatedQuery(k: 10))
        #expect(ids(kept).filter(family.contains).count == 1)
        let all = try index.related(to: "xiaomi-tag-find-my", query: RelatedQuery(k: 10, duplicateThreshold: nil))
        #expect(ids(all).filter(family.contains).count == 4)
        // The one kept is the family's best.
        let best = all.results.first { family.contains($0.article.id) }!
        #expect(kept.results.contains { $0.article.id == best.article.id })
        #expect(kept.results.count == 10)
    }

    @Test("maximal marginal relevance keeps the best result and spreads the rest")
    func diversity() throws {
        let plain = try index.related(to: leica, query: RelatedQuery(k: 6, minimumScore: -1))
        let diverse = try index.related(to: leica, query: RelatedQuery(k: 6, minimumScore: -1, diversity: 0.3))
        #expect(ids(diverse).first == ids(plain).first)
        #expect(ids(diverse) != ids(plain))
        func redundancy(_ list: RelatedList) -> Float {
            let vectors = list.results.map { Sample.model.vector(of: $0.article.id)! }
            var sum: Float = 0
            for i in vectors.indices {
                for j in vectors.indices where j > i { sum += Vector.dot(vectors[i], vectors[j]) }
            }
            return sum
        }
        #expect(redundancy(diverse) < redundancy(plain))
        #expect(try index.related(to: leica, query: RelatedQuery(k: 6, minimumScore: -1, diversity: 1)) == plain)
    }

    @Test("results are in the query article's language unless 'any' is asked")
    func language() throws {
        let german = try index.related(to: "bundesliga-spitzenspiel", query: RelatedQuery(k: 5, minimumScore: -1))
        #expect(german.results.allSatisfy { $0.article.language.hasPrefix("de") })
        let mixed = try index.related(
            to: "bundesliga-spitzenspiel", query: RelatedQuery(k: 5, language: .any, minimumScore: -1))
        #expect(mixed.results.count == 5)
        #expect(mixed.results.contains { $0.article.language == "en" })
        let english = try index.related(to: "football-derby-result", query: RelatedQuery(k: 84, minimumScore: -1))
        #expect(english.results.allSatisfy { $0.article.language == "en" })
        let spanish = try index.related(to: "football-derby-result", query: RelatedQuery(k: 5, language: .only("es")))
        #expect(spanish.results.allSatisfy { $0.article.language == "es" })
    }

    @Test("several examples: results like all of them, never the examples; unlike pushes away")
    func examples() throws {
        let like: [QueryExample] = [.article("xiaomi-17-ultra-launch"), .article("xiaomi-tag-find-my")]
        let both = try index.related(like: like, query: RelatedQuery(k: 5))
        #expect(!ids(both).contains("xiaomi-17-ultra-launch") && !ids(both).contains("xiaomi-tag-find-my"))
        #expect(ids(both).contains("xiaomi-17-global-series"))
        let plain = try index.related(
            like: [.article("xiaomi-17-ultra-launch")], query: RelatedQuery(k: 20, minimumScore: -1))
        let pushed = try index.related(
            like: [.article("xiaomi-17-ultra-launch")], unlike: [.article("leica-sl3-firmware")],
            query: RelatedQuery(k: 20, minimumScore: -1))
        #expect(!ids(pushed).contains("leica-sl3-firmware"))
        func score(_ list: RelatedList, _ id: String) -> Float? { list.results.first { $0.article.id == id }?.score }
        // The other Leica camera story suffers; the Xiaomi phone story does not lose as much.
        let leicaDrop = score(plain, leica)! - (score(pushed, leica) ?? -1)
        let xiaomiDrop = score(plain, "xiaomi-17-global-series")! - score(pushed, "xiaomi-17-global-series")!
        #expect(leicaDrop > xiaomiDrop)
        let text = try index.related(
            like: [.text(title: "Fusion record", body: "Wendelstein stellarator plasma record", language: "en")],
            query: RelatedQuery(k: 3))
        #expect(ids(text).first == "fusion-wendelstein-record")
        #expect(throws: EngineError.self) { try index.related(like: [], query: RelatedQuery()) }
        #expect(throws: EngineError.self) { try index.related(like: [.article("nope")], query: RelatedQuery()) }
    }

    @Test("one example with no negative is the plain query")
    func combiningOne() throws {
        let vector = Sample.model.queryVector(row: 0)!
        let combined = try #require(Model.combining(like: [vector], unlike: []))
        #expect(combined.dense == vector.dense)
        #expect(Model.combining(like: [], unlike: [vector]) == nil)
        let mixed = try #require(Model.combining(like: [vector, Sample.model.queryVector(row: 1)!], unlike: [vector]))
        #expect(abs(Vector.norm(mixed.dense) - 1) < 1e-5)
        #expect(abs(mixed.sparse.norm - 1) < 1e-5)
    }

    @Test("a draft's links (URLs and ids in its text, or given) are left out, or flagged")
    func draftLinks() throws {
        let body = """
            Xiaomi's new phone, see <a href="https://www.news.example.com/phones-cameras/xiaomi-17-ultra-launch/">the launch</a> \
            and our story xiaomi-17-global-series, puts a Leica red dot on its back.
            """
        let plain = try index.similar(
            title: "Leica and Xiaomi", body: body, language: "en", query: RelatedQuery(k: 5, linkedArticles: .flag))
        let flagged = plain.results.filter(\.alreadyLinked).map(\.article.id)
        #expect(Set(flagged) == ["xiaomi-17-ultra-launch", "xiaomi-17-global-series"])
        let excluded = try index.similar(
            title: "Leica and Xiaomi", body: body, language: "en", query: RelatedQuery(k: 5))
        #expect(!ids(excluded).contains("xiaomi-17-ultra-launch") && !ids(excluded).contains("xiaomi-17-global-series"))
        #expect(excluded.results.allSatisfy { !$0.alreadyLinked })
        let given = try index.similar(
            title: "Leica and Xiaomi", body: "A red dot on a phone", language: "en",
            links: [leica, "https://news.example.com/phones-cameras/xiaomi-tag-find-my"],
            query: RelatedQuery(k: 10, minimumScore: -1))
        #expect(!ids(given).contains(leica) && !ids(given).contains("xiaomi-tag-find-my"))
        // A link to an article PUT since the build counts too, until it is withdrawn.
        let story = Article(
            id: "leica-edition", title: "Xiaomi 17 Ultra Leica edition wears the red dot",
            body: "A Leica edition of the Xiaomi phone with the red dot.",
            url: "https://news.example.com/x/leica-edition")
        let live = index.upserting(story)
        let draft = "More on the red dot: http://news.example.com/x/leica-edition/"
        #expect(live.linkedIDs(in: draft) == ["leica-edition"])
        #expect(try #require(live.deleting("leica-edition")).linkedIDs(in: draft).isEmpty)
    }

    @Test("link references: URLs are compared without scheme, www, fragment or trailing slash")
    func references() {
        #expect(OutboundLinks.normalizedURL("https://www.Example.com/a/b/#top") == "example.com/a/b")
        #expect(OutboundLinks.normalizedURL("http://example.com/a/b") == "example.com/a/b")
        let found = OutboundLinks.references(in: "See [it](https://x.org/a-b). Also gcc and libfoo-2, or (bar_baz).")
        #expect(found.urls == ["x.org/a-b"])
        #expect(found.words.contains("libfoo-2") && found.words.contains("bar_baz") && !found.words.contains("gcc"))
    }

    @Test("link references in markup: hrefs, any-case schemes, wiki ids, punctuation at either end")
    func referencesInMarkup() {
        let text = """
            <p>Read <a href="HTTPS://Www.News.example/x/leica-edition?">this</a>,\tthen
            [[xiaomi-tag-tracker]]; and *xiaomi-17-ultra*! Café naïve-über\u{00A0}…rot-punkt… \
            href=http://b.example/y. www.c.example/z
            """
        let found = OutboundLinks.references(in: text)
        #expect(found.urls == ["news.example/x/leica-edition", "b.example/y"])
        #expect(
            found.words == [
                "/a", "xiaomi-tag-tracker", "xiaomi-17-ultra", "naïve-über", "…rot-punkt…", "www.c.example/z",
            ])
        #expect(OutboundLinks.references(in: "").urls.isEmpty && OutboundLinks.references(in: " \n.,").words.isEmpty)
    }

    @Test("explanations add up: shared terms and dimensions, largest first")
    func explanations() throws {
        let list = try index.related(to: leica, query: RelatedQuery(k: 3, explain: true))
        let top = try #require(list.results.first)
        let explanation = try #require(top.explanation)
        #expect(top.article.id == "xiaomi-17-ultra-launch")
        #expect(explanation.sharedTerms.map(\.term).contains("xiaomi"))
        #expect(explanation.sharedTerms.map(\.weight) == explanation.sharedTerms.map(\.weight).sorted(by: >))
        #expect(explanation.sharedTerms.map(\.weight).reduce(0, +) <= explanation.lexical + 1e-5)
        #expect(explanation.dimensions.allSatisfy { $0.weight > 0 && !$0.terms.isEmpty })
        #expect(explanation.dimensions.map(\.weight).reduce(0, +) <= explanation.lsa + 1e-4 + 1)
        #expect(explanation.freshness == 1)
        // The blend of the parts is the score.
        let parameters = Sample.model.parameters
        let c = parameters.headlineWeight, w = parameters.lexicalWeight
        let blended = ((1 - w) * explanation.lsa + w * explanation.lexical + c * explanation.headline) / (1 + 2 * c)
        #expect(abs(blended - top.score) < 1e-4)
        #expect(try index.related(to: leica, query: RelatedQuery(k: 3)).results.allSatisfy { $0.explanation == nil })
    }

    @Test("editorial pins lead the list in order, blocks never appear, and both survive filters")
    func overrides() throws {
        let overrides = EditorialOverrides(entries: [
            leica: .init(
                pinned: ["football-derby-result", "bundesliga-spitzenspiel"], blocked: ["xiaomi-17-ultra-launch"])
        ])
        let steered = index.with(overrides: overrides)
        let list = try steered.related(to: leica, query: RelatedQuery(k: 5))
        #expect(Array(ids(list).prefix(2)) == ["football-derby-result", "bundesliga-spitzenspiel"])
        #expect(list.results.prefix(2).allSatisfy { $0.reason == .pinned })
        #expect(!ids(list).contains("xiaomi-17-ultra-launch"))
        #expect(list.results.count == 5)
        #expect(Set(ids(list)).count == 5)
        // A withdrawn pinned article is skipped; other articles' lists are untouched.
        let withdrawn = try #require(steered.deleting("football-derby-result"))
        #expect(ids(try withdrawn.related(to: leica, query: RelatedQuery(k: 5))).first == "bundesliga-spitzenspiel")
        #expect(
            try steered.related(to: "xiaomi-tag-find-my", query: RelatedQuery(k: 5))
                == index.related(
                    to: "xiaomi-tag-find-my", query: RelatedQuery(k: 5)))
        // k smaller than the pins: the first pins only.
        #expect(ids(try steered.related(to: leica, query: RelatedQuery(k: 1))) == ["football-derby-result"])
    }

    @Test("override entries are validated")
    func overrideValidation() {
        let cases: [EditorialOverrides.Entry] = [
            .init(pinned: ["a"]), .init(blocked: [""]), .init(pinned: ["b", "b"]), .init(pinned: ["b"], blocked: ["b"]),
            .init(pinned: (0...EditorialOverrides.maximumPins).map { "p\($0)" }),
        ]
        for entry in cases {
            #expect(throws: EngineError.self) { try EditorialOverrides.validate(entry, for: "a") }
        }
        #expect(throws: Never.self) { try EditorialOverrides.validate(.init(pinned: ["b"], blocked: ["c"]), for: "a") }
    }
}

@Suite("Editorial overrides file")
struct OverridesFileTests {
    @Test("changes are stored durably and read back; a missing file is no overrides")
    func roundTrip() throws {
        let directory = try temporaryDirectory()
        defer { cleanUp(directory) }
        #expect(try ModelDirectory(path: directory).overrides() == .none)
        try ModelDirectory(path: directory).updateOverrides { $0.set(.init(pinned: ["b"], blocked: ["c"]), for: "a") }
        try ModelDirectory(path: directory).updateOverrides { $0.set(.init(pinned: ["a"]), for: "z") }
        let loaded = try ModelDirectory(path: directory).overrides()
        #expect(loaded.entry(for: "a") == .init(pinned: ["b"], blocked: ["c"]))
        #expect(loaded.entry(for: "z") == .init(pinned: ["a"]))
        try ModelDirectory(path: directory).updateOverrides { $0.set(nil, for: "a") }
        #expect(try ModelDirectory(path: directory).overrides().entries.keys.sorted() == ["z"])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter {
            $0.contains(".writing-")
        }
        #expect(leftovers.isEmpty)
    }

    @Test(
        "a damaged or invalid file is refused naming the file",
        arguments: [
            "{not json", #"{"format": 9, "articles": {}}"#,
            #"{"format": 1, "articles": {"a": {"pinned": ["a"], "blocked": []}}}"#,
        ])
    func damaged(contents: String) throws {
        let directory = try temporaryDirectory()
        defer { cleanUp(directory) }
        try contents.write(toFile: directory + "/" + OverridesFile.fileName, atomically: true, encoding: .utf8)
        #expect {
            _ = try ModelDirectory(path: directory).overrides()
        } throws: { error in
            "\(error)".contains(OverridesFile.fileName)
        }
    }
}

@Suite("Hubness")
struct HubnessTests {
    /// Four rows, width 3: row 3 is in every other list's first place.
    let lists = NeighborLists(
        width: 3, indices: [3, 1, 2, 3, 0, 2, 3, 0, 1, 0, 1, 2],
        scores: [0.9, 0.5, 0.4, 0.8, 0.5, 0.4, 0.7, 0.5, 0.4, 0.6, 0.5, 0.4])
    let ids = ["a", "b", "c", "d"]

    @Test("k-occurrence statistics")
    func statistics() {
        let depth1 = HubnessStatistics(lists: lists, depth: 1, ids: ids)
        #expect(depth1.maximum == 3)
        #expect(depth1.topHubs.first == .init(id: "d", occurrences: 3))
        #expect(depth1.neverListed == 0.5)
        #expect(depth1.skewness > 0)
        let depth3 = HubnessStatistics(lists: lists, depth: 3, ids: ids)
        #expect(depth3.maximum == 3 && depth3.neverListed == 0 && depth3.skewness == 0)
    }

    @Test("a capped hub keeps its best lists and leaves the others; entries move up")
    func cap() {
        let (capped, cappedRows) = lists.cappingHubs(at: 1, depth: 1, rows: 4)
        let count = cappedRows.count
        // Round 1: row 0 scored d highest (0.9) and keeps it; rows 1 and 2 lose it, so a moves up
        // to the top of rows 1, 2 and 3. Round 2: a stays only in row 3 (0.6, its best).
        #expect(count == 2)
        #expect(capped.list(of: 0).map(\.index) == [3, 1, 2])
        #expect(capped.list(of: 1).map(\.index) == [2])
        #expect(capped.list(of: 2).map(\.index) == [1])
        #expect(capped.list(of: 3).map(\.index) == [0, 1, 2])
        #expect(HubnessStatistics.occurrences(capped, depth: 1, rows: 4).allSatisfy { $0 <= 1 })
        #expect(throws: Never.self) { try capped.check(articles: 4) }
    }

    @Test("the build measures hubness and applies its cap")
    func build() throws {
        var parameters = ModelParameters()
        parameters.hubCap = 12
        let model = try ModelBuilder(parameters: parameters).build(Sample.articles).model
        let report = try #require(model.manifest.hubness)
        #expect(report.cap == 12)
        #expect(report.measured.maximum > 12)
        #expect(report.afterCap!.maximum <= 12)
        #expect(HubnessStatistics.occurrences(model.neighborLists, depth: 10, rows: model.articles.count).max()! <= 12)
        let uncapped = try #require(Sample.model.manifest.hubness)
        #expect(uncapped.measured == report.measured)
    }

    @Test("lists the cap leaves short are refilled without the capped articles, so by-id requests don't search")
    func refill() throws {
        var parameters = ModelParameters()
        parameters.hubCap = 12
        parameters.neighbors = 12
        let outcome = try ModelBuilder(parameters: parameters).build(Sample.articles)
        let model = outcome.model
        #expect(model.neighborLists.width == 12)
        #expect(outcome.notices.contains { $0.hasPrefix("hub cap:") && $0.contains("were refilled") })
        // Without the refill the same cap leaves lists short (computed at the kept width).
        let plain = try ModelBuilder.neighborLists(of: model, width: 12) { _ in }.0
        let capped = plain.cappingHubs(at: 12, depth: HubnessReport.depth, rows: model.articles.count)
        #expect((0..<model.articles.count).contains { capped.lists.list(of: $0).count < 10 })
        for row in 0..<model.articles.count {
            let list = model.neighborLists.list(of: row)
            #expect(list.count >= 10, "row \(row) holds \(list.count)")
            #expect(Set(list.map(\.index)).count == list.count && !list.contains { $0.index == row })
            #expect(zip(list, list.dropFirst()).allSatisfy { $0.score >= $1.score })
        }
        // A by-id request for 10 is answered from the list.
        let index = LiveIndex(model: model, version: "refill")
        let filter = LiveIndex.RowFilter(
            Admission(excludedIDs: [], section: nil, language: nil, since: nil, until: nil), index: index)
        #expect(
            (0..<model.articles.count).allSatisfy {
                index.precomputedCandidates(of: $0, filter: filter, wanted: 10) != nil
            })
        // And says so, where a request beyond the list's width says it searched.
        let id = model.articles[0].id
        #expect(try !index.related(to: id, query: RelatedQuery(k: 10)).searched)
        #expect(try index.related(to: id, query: RelatedQuery(k: 20)).searched)
        // An exact query checks an answer, so it searches.
        let exact = try index.related(to: id, query: RelatedQuery(k: 10, exact: true))
        #expect(exact.searched && exact.results.count == 10)
    }
}

@Suite("Limits on what an article or a query may hold")
struct InputLimitTests {
    @Test("a query text with more distinct indexed terms than the limit is refused, saying why")
    func queryTerms() throws {
        // 24 articles; term t appears in articles t/1000 and t/1000 + 12, so 12,000 terms survive pruning.
        let articles = (0..<24).map { j in
            Article(
                id: "a\(j)", body: ((j % 12) * 1000..<(j % 12) * 1000 + 1000).map { "w\($0)" }.joined(separator: " "))
        }
        var parameters = ModelParameters()
        parameters.analyzer.phrases = false
        parameters.dimensions = 8
        parameters.neighbors = 0
        let model = try ModelBuilder(parameters: parameters).build(articles).model
        #expect(model.weighting.vocabulary.count == 12_000)
        let index = LiveIndex(model: model, version: "limits")
        let huge = (0..<12_000).map { "w\($0)" }.joined(separator: " ")
        #expect {
            _ = try index.similar(title: "", body: huge, language: "en", query: RelatedQuery())
        } throws: { error in
            (error as? EngineError)?.message.contains("12000 distinct indexed terms; the limit is 10000") == true
        }
        let fine = (0..<5_000).map { "w\($0)" }.joined(separator: " ")
        #expect(throws: Never.self) {
            _ = try index.similar(title: "", body: fine, language: "en", query: RelatedQuery())
        }
    }

    @Test("an article over the size limit is a reported problem, not a crash or a silent cut")
    func articleSize() {
        let body = String(repeating: "long text ", count: CorpusReader.maximumTextBytes / 10 + 1)
        let line = try! JSONSerialization.data(withJSONObject: ["id": "huge", "body": body])
        let read = CorpusReader().read(
            data: line + Data("\n{\"id\": \"ok\", \"body\": \"short\"}\n".utf8), file: "big.jsonl")
        #expect(read.articles.map(\.id) == ["ok"])
        #expect(read.problems.count == 1)
        #expect(read.problems.first.map { "\($0)" }?.contains("the limit is \(CorpusReader.maximumTextBytes)") == true)
    }
}
