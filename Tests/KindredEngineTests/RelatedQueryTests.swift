import Foundation
import Testing

@testable import KindredEngine

@Suite("Related query filters")
struct RelatedQueryTests {
    let article = ArticleMetadata(
        id: "a", title: "T", url: nil, publishedAt: RFC3339.parse("2026-03-04T09:30:00Z"), section: "science",
        language: "en-GB", tags: [])
    let now = RFC3339.parse("2026-03-10T00:00:00Z")!

    func admits(_ query: RelatedQuery, subject: String? = "en") -> Bool {
        query.admission(subjectLanguage: subject, now: now).admits(article)
    }

    @Test("no filter admits everything")
    func unfiltered() {
        #expect(admits(RelatedQuery(language: .any)))
        #expect(admits(RelatedQuery()))
    }

    @Test("exclusions, section and language (primary subtag) filter")
    func filters() {
        #expect(!admits(RelatedQuery(excludedIDs: ["a"])))
        #expect(admits(RelatedQuery(section: "science")))
        #expect(!admits(RelatedQuery(section: "sports")))
        #expect(admits(RelatedQuery(language: .only("en"))))
        #expect(admits(RelatedQuery(language: .only("EN-us"))))
        #expect(!admits(RelatedQuery(language: .only("de"))))
    }

    @Test("by default results are in the query's language; 'any' mixes")
    func languageDefault() {
        #expect(admits(RelatedQuery(), subject: "en-US"))
        #expect(!admits(RelatedQuery(), subject: "de"))
        #expect(admits(RelatedQuery(language: .any), subject: "de"))
    }

    @Test("dates are inclusive, and an undated article never passes a date filter")
    func dates() {
        let at = article.publishedAt!
        #expect(admits(RelatedQuery(since: at, until: at)))
        #expect(!admits(RelatedQuery(since: at.addingTimeInterval(1))))
        #expect(!admits(RelatedQuery(until: at.addingTimeInterval(-1))))
        var undated = article
        undated.publishedAt = nil
        #expect(!RelatedQuery(since: at).admission(subjectLanguage: "en", now: now).admits(undated))
        #expect(RelatedQuery(section: "science").admission(subjectLanguage: "en", now: now).admits(undated))
    }

    @Test("max_age counts back from the reference time")
    func maximumAge() {
        // The article is 5 days and 14.5 hours old at `now`.
        #expect(admits(RelatedQuery(maximumAge: 6 * 86_400)))
        #expect(!admits(RelatedQuery(maximumAge: 5 * 86_400)))
    }

    @Test("freshness halves its credit every half-life and gives none to undated articles")
    func freshnessFactor() {
        let freshness = Freshness(halfLifeDays: 10, weight: 0.4)
        let now = Date(timeIntervalSince1970: 1_000_000_000)
        #expect(freshness.factor(published: now, now: now) == 1)
        #expect(abs(freshness.factor(published: now.addingTimeInterval(-10 * 86_400), now: now) - 0.8) < 1e-6)
        #expect(abs(freshness.factor(published: now.addingTimeInterval(-20 * 86_400), now: now) - 0.7) < 1e-6)
        #expect(freshness.factor(published: nil, now: now) == 0.6)
        #expect(freshness.factor(published: now.addingTimeInterval(86_400), now: now) == 1)
    }
}
