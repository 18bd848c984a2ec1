import Foundation
import Testing
@testable import KindredEngine

@Suite("Related query filters and their text form")
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

    @Test("the text form parses every control")
    func parsing() throws {
        let query = try RelatedQuery(parameters: [
            "k": "7", "exclude": "a, b,", "section": "science", "language": "any", "since": "2026-01-01T00:00:00Z",
            "max_age": "2w", "reference_time": "2026-03-10T00:00:00Z", "min_score": "0.2", "fallback": "section",
            "half_life": "7", "freshness": "0.3", "diversity": "0.7", "dedupe": "off", "linked": "flag", "explain": "true",
        ])
        #expect(query.k == 7)
        #expect(query.excludedIDs == ["a", "b"])
        #expect(query.section == "science")
        #expect(query.language == .any)
        #expect(query.since == RFC3339.parse("2026-01-01T00:00:00Z"))
        #expect(query.maximumAge == TimeInterval(14 * 86_400))
        #expect(query.referenceTime == now)
        #expect(query.minimumScore == 0.2)
        #expect(query.fallback == .section)
        #expect(query.freshness == Freshness(halfLifeDays: 7, weight: 0.3))
        #expect(query.diversity == 0.7)
        #expect(query.duplicateThreshold == nil)
        #expect(query.linkedArticles == .flag)
        #expect(query.explain)
        let defaults = try RelatedQuery(parameters: [:], defaultK: 4)
        #expect(defaults == RelatedQuery(k: 4))
        #expect(defaults.duplicateThreshold == RelatedQuery.defaultDuplicateThreshold)
        #expect(defaults.minimumScore == RelatedQuery.defaultMinimumScore)
    }

    @Test("bad values are refused naming the parameter", arguments: [
        ("k", "ten"), ("k", "0"), ("language", "english!"), ("since", "yesterday"), ("max_age", "-3d"),
        ("max_age", "soon"), ("min_score", "2"), ("fallback", "latest"), ("half_life", "0"), ("diversity", "1.5"),
        ("dedupe", "0"), ("dedupe", "high"), ("linked", "keep"), ("explain", "yes"), ("freshness", "0.5"),
    ])
    func badValues(name: String, value: String) {
        #expect {
            _ = try RelatedQuery(parameters: [name: value])
        } throws: { error in
            guard let error = error as? EngineError, error.code == .invalidParameter else { return false }
            return error.message.contains(name) || (name == "k" && error.message.contains("k must"))
        }
    }

    @Test("ages take minutes, hours, days, weeks or a bare number of days")
    func ages() {
        #expect(RelatedQuery.parseAge("90m") == 5_400)
        #expect(RelatedQuery.parseAge("36h") == 129_600)
        #expect(RelatedQuery.parseAge("2") == 172_800)
        #expect(RelatedQuery.parseAge("1.5d") == 129_600)
        #expect(RelatedQuery.parseAge("1w") == 604_800)
        #expect(RelatedQuery.parseAge("0") == nil)
        #expect(RelatedQuery.parseAge("d") == nil)
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
