import Foundation
import Testing

@testable import KindredEngine

@Suite("Article table")
struct ArticleTableTests {
    let articles = [
        ArticleMetadata(
            id: "leica-red-dot", title: "Leica puts its red dot on a Xiaomi phone",
            url: "https://example.com/leica", publishedAt: Date(timeIntervalSince1970: 1_770_000_000.123_456),
            section: "phones", language: "en", tags: ["Leica", "Xiaomi"]),
        // No URL, no section, no date, no tags; an empty title.
        ArticleMetadata(id: "b", title: "", url: nil, publishedAt: nil, section: nil, language: "de", tags: []),
        // Empty strings where nil is possible, non-ASCII text, a date before 1970, an empty tag.
        ArticleMetadata(
            id: "spiel-ü", title: "Spitzenspiel endet unentschieden — 0:0 in München 🏟", url: "",
            publishedAt: Date(timeIntervalSinceReferenceDate: -1e9), section: "", language: "de-AT",
            tags: ["", "Fußball"]),
    ]

    @Test("every field comes back as it went in: nil and empty kept apart, dates to the bit")
    func roundTrip() {
        let table = ArticleTable(articles)
        #expect(table.count == 3)
        #expect(Array(table) == articles)
        for (row, article) in articles.enumerated() {
            #expect(table[row] == article)
            #expect(table.id(of: row) == article.id)
            #expect(table.url(of: row) == article.url)
            #expect(table.section(of: row) == article.section)
            #expect(table.language(of: row) == article.language)
            #expect(table.publishedAt(of: row) == article.publishedAt)
        }
        #expect(table.url(of: 1) == nil && table.url(of: 2) == "")
        #expect(table.section(of: 1) == nil && table.section(of: 2) == "")
    }

    @Test("a section compared in place is the section made as a string: none is no section, empty is empty")
    func sectionComparison() {
        let table = ArticleTable(articles)
        for row in articles.indices {
            for section in ["phones", "", "phone", "phones ", "Phones", "ü"] {
                #expect(
                    table.hasSection(row, equalTo: section) == (articles[row].section == section), "\(row), \(section)")
            }
        }
        // As `String` compares them: canonically equivalent spellings are the same section.
        let stored = ["R\u{E9}gion", "Re\u{301}gion", "K", "\u{212A}elvin"]
        let table2 = ArticleTable(
            stored.map {
                ArticleMetadata(id: $0, title: "", url: nil, publishedAt: nil, section: $0, language: "fr", tags: [])
            })
        for row in stored.indices {
            for section in ["R\u{E9}gion", "Re\u{301}gion", "Region", "K", "\u{212A}", "Kelvin", "\u{212A}elvin"] {
                #expect(table2.hasSection(row, equalTo: section) == (stored[row] == section), "\(row), \(section)")
            }
        }
        #expect(table2.hasSection(0, equalTo: "Re\u{301}gion") && table2.hasSection(2, equalTo: "\u{212A}"))
    }

    @Test("appending one by one gives the table made at once; an empty table has no rows")
    func appending() {
        var table = ArticleTable()
        #expect(table.isEmpty)
        for article in articles { table.append(article) }
        #expect(table == ArticleTable(articles))
        table.append(articles[0])
        #expect(table != ArticleTable(articles) && table.last == articles[0])
    }

    @Test("a model keeps its articles through its file")
    func throughTheModelFile() throws {
        let model = Sample.model
        let loaded = try ModelFile.decode(try ModelFile.encode(model), file: "memory")
        #expect(loaded.articles == model.articles)
        #expect(loaded.articles.count > 50)
    }
}
