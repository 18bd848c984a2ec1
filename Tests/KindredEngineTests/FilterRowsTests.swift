import Foundation
import Testing

@testable import KindredEngine

/// Searches among a filter's own rows (`Model.rows(section:languageCode:since:until:)`,
/// `EmbeddingIndex.search(_:k:amongRows:excluding:)`): which rows a filter can admit, and that a
/// narrow filter's answer through them is the exact one.
@Suite("Filters answered from their own rows", .tags(.slow))
struct FilterRowsTests {
    static let start = Date(timeIntervalSince1970: 1_700_000_000)

    /// The approximate index's made-up archive, in 50 sections (80 articles each), one article in
    /// ten in German, dated an hour apart in a shuffled order, every 97th undated.
    static let articles: [Article] = ApproximateIndexTests.topicalArticles(count: 4_000, topics: 120, seed: 5)
        .enumerated().map { i, article in
            var article = article
            article.section = "s\((i * 7) % 50)"
            article.language = i % 10 == 3 ? "de" : "en"
            article.publishedAt = i % 97 == 0 ? nil : start.addingTimeInterval(Double((i * 1_237) % 4_000) * 3_600)
            return article
        }
    static let built: Model = try! ApproximateIndexTests.builder.build(articles).model
    static let approximate: Model = try! ModelFile.decode(
        ModelFile.encode(built), file: "approximate.kdm", search: SearchSettings(mode: .approximate))
    static let exact: Model = try! ModelFile.decode(
        ModelFile.encode(built), file: "exact.kdm", search: SearchSettings(mode: .exact))

    func rows(where admits: (Article) -> Bool) -> [Int32] {
        Self.articles.indices.filter { admits(Self.articles[$0]) }.map(Int32.init)
    }

    @Test("a filter's rows are every row it can admit, from its narrowest field")
    func rowsOfFilters() throws {
        let model = Self.approximate
        #expect(model.rows(section: nil, languageCode: nil, since: nil, until: nil) == nil)
        let section = try #require(model.rows(section: "s7", languageCode: nil, since: nil, until: nil))
        #expect(Array(section) == rows { $0.section == "s7" })
        #expect(section.count == 80)
        #expect(model.rows(section: "no such section", languageCode: nil, since: nil, until: nil)?.isEmpty == true)
        let german = try #require(
            model.rows(section: nil, languageCode: model.languageCode(of: "de"), since: nil, until: nil))
        #expect(Array(german) == rows { $0.language == "de" })
        #expect(
            model.rows(section: nil, languageCode: model.languageCode(of: "fr"), since: nil, until: nil)?.isEmpty
                == true)
        // Dates: a slice of the rows by recency, whichever bounds are set; undated rows never in it.
        let since = Self.start.addingTimeInterval(1_000 * 3_600), until = Self.start.addingTimeInterval(1_099 * 3_600)
        for (from, to) in [(since, until), (since, nil), (nil, until), (until, since)] as [(Date?, Date?)] {
            let dated = try #require(model.rows(section: nil, languageCode: nil, since: from, until: to))
            let expected = rows { article in
                guard let date = article.publishedAt else { return false }
                return from.map { date >= $0 } ?? true && to.map { date <= $0 } ?? true
            }
            #expect(Set(dated) == Set(expected))
            #expect(dated.count == expected.count)
        }
        // Section and dates together: the shorter of the two.
        let both = try #require(model.rows(section: "s7", languageCode: nil, since: since, until: until))
        #expect(both.count == 80)
        let narrowDates = try #require(
            model.rows(section: "s7", languageCode: nil, since: since, until: since.addingTimeInterval(9 * 3_600)))
        #expect(narrowDates.count <= 10)
    }

    @Test("a narrow filter is answered from its rows alone, exactly as a scan of every article answers it")
    func narrowFilterIsExact() throws {
        let model = Self.approximate
        let depth = model.parameters.rerankDepth
        #expect(model.index.searchesGraph)
        #expect(model.index.scoresRowsAlone(80, k: depth, exact: false))
        // Never the whole archive.
        #expect(!model.index.scoresRowsAlone(4_000, k: depth, exact: false))
        let rows = try #require(model.rows(section: "s7", languageCode: nil, since: nil, until: nil))
        for row in stride(from: 0, to: 4_000, by: 200) {
            let query = try #require(model.queryVector(row: row))
            let refused = { (other: Int) in other == row || Self.articles[other].section != "s7" }
            let found = try model.rank(query, k: 10, amongRows: rows, excluding: refused)
            let scanned = try Self.exact.rank(query, k: 10, excluding: refused)
            #expect(found.map(\.index) == scanned.map(\.index))
            #expect(found.count == 10)
        }
    }

    @Test("related lists filtered to a section, a language or dates are the exact model's")
    func relatedListsAgree() throws {
        let approximate = LiveIndex(model: Self.approximate, version: "approximate")
        let exact = LiveIndex(model: Self.exact, version: "exact")
        let since = Self.start.addingTimeInterval(2_000 * 3_600)
        // No relevance floor: a narrow filter's best can be weak, and the lists are compared whole.
        // Section s31's articles are all German ((i · 7) mod 50 = 31 holds for i = 33 mod 50).
        let queries = [
            RelatedQuery(k: 10, section: "s31", language: .any, minimumScore: -1),
            RelatedQuery(k: 10, language: .only("de"), minimumScore: -1),
            RelatedQuery(k: 10, since: since, until: since.addingTimeInterval(150 * 3_600), minimumScore: -1),
        ]
        for query in queries {
            for id in ["a1", "a13", "a2500"] {
                let found = try approximate.related(to: id, query: query)
                let scanned = try exact.related(to: id, query: query)
                #expect(found.searched)
                #expect(found.results.count == 10, "\(id), \(query)")
                #expect(found.results.map(\.article.id) == scanned.results.map(\.article.id), "\(id), \(query)")
            }
        }
    }

    @Test("when the graph's beam holds too few admitted articles, the filter's rows answer")
    func graphFallsBackToRows() throws {
        let model = Self.approximate
        let query = try #require(model.queryVector(row: 0))
        let allowed: Set<Int> = [17, 123, 234, 345, 999]
        let index = model.index, depth = model.parameters.rerankDepth
        let walk = try #require(index.graph)
        // A walk widened for a thousand rows (a quarter of the archive) to hold 2k of them on average
        // still holds too few of the five: it gives up, and the rows answer.
        let widened = walk.beam(forFiltered: 1_000, of: index.count, k: depth)
        #expect(widened == min(NeighborGraph.widestBeam, max(index.beam, 2 * depth * 4_000 / 1_000)))
        #expect(walk.beam(forFiltered: nil, of: index.count, k: depth) == index.beam)
        let candidates = walk.walking(beam: widened).candidates(for: SearchQuery(query.dense), k: depth) {
            allowed.contains($0)
        }
        #expect(candidates == nil)
        // At 4,000 articles every filter's rows are fewer than the walk would cost.
        #expect(index.scoresRowsAlone(3_999, k: depth, exact: false))
        let found = try model.rank(query, k: 10, amongRows: Array(0..<1_000)[...]) { !allowed.contains($0) }
        #expect(Set(found.map(\.index)) == allowed)
    }
}
