import Foundation
import Testing
@testable import KindredEngine

@Suite("Related query filters")
struct RelatedQueryTests {
    let article = ArticleMetadata(
        id: "a", title: "T", url: nil, publishedAt: RFC3339.parse("2026-03-04T09:30:00Z"), section: "science",
        language: "en-GB", tags: [])

    @Test("no filter admits everything")
    func unfiltered() {
        #expect(RelatedQuery().admits(article))
    }

    @Test("exclusions, section and language (primary subtag) filter")
    func filters() {
        #expect(!RelatedQuery(excludedIDs: ["a"]).admits(article))
        #expect(RelatedQuery(section: "science").admits(article))
        #expect(!RelatedQuery(section: "sports").admits(article))
        #expect(RelatedQuery(language: "en").admits(article))
        #expect(RelatedQuery(language: "EN-us").admits(article))
        #expect(!RelatedQuery(language: "de").admits(article))
    }

    @Test("dates are inclusive, and an undated article never passes a date filter")
    func dates() {
        let at = article.publishedAt!
        #expect(RelatedQuery(since: at, until: at).admits(article))
        #expect(!RelatedQuery(since: at.addingTimeInterval(1)).admits(article))
        #expect(!RelatedQuery(until: at.addingTimeInterval(-1)).admits(article))
        var undated = article
        undated.publishedAt = nil
        #expect(!RelatedQuery(since: at).admits(undated))
        #expect(RelatedQuery(section: "science").admits(undated))
    }
}
