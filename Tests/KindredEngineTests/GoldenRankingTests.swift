import Foundation
import Testing

@testable import KindredEngine

/// Rankings of the sample corpus under default parameters, kept in `Tests/Fixtures/golden-rankings.json`
/// so that a change in quality shows up as a diff. Re-record with `RECORD_GOLDEN=1 swift test`.
@Suite("Golden rankings on the sample corpus")
struct GoldenRankingTests {
    struct Golden: Codable, Equatable {
        struct Query: Codable, Equatable {
            var id: String?
            var title: String?
            var body: String?
            var results: [Result]
        }
        struct Result: Codable, Equatable {
            var id: String
            var score: Float
        }
        var k: Int
        var queries: [Query]
    }

    static let goldenFile = Checkout.fixtures.appendingPathComponent("golden-rankings.json")
    static let queryIDs = [
        "leica-red-dot-leitzphone", "xiaomi-17-ultra-launch", "xiaomi-tag-find-my", "xiaomi-17-global-series",
        "galaxy-s26-ultra-review", "apple-watch-hypertension", "football-derby-result", "europe-heatwave-2025",
        "nvidia-record-quarter", "sony-a7-v-launch",
    ]
    static let drafts = [
        ("Xiaomi tracker", "A tag that works with Apple Find My and Google Find Hub"),
        ("Heatwave", "Temperatures above 40 degrees in Spain as Europe bakes"),
    ]

    func current(k: Int) throws -> Golden {
        let model = Sample.model
        var queries = try Self.queryIDs.map { id in
            Golden.Query(
                id: id, results: try model.related(to: id, k: k).map { .init(id: $0.article.id, score: $0.score) })
        }
        for (title, body) in Self.drafts {
            queries.append(
                Golden.Query(
                    title: title, body: body,
                    results: try model.similar(title: title, body: body, k: k).map {
                        .init(id: $0.article.id, score: $0.score)
                    }))
        }
        return Golden(k: k, queries: queries)
    }

    @Test("Leica's red dot story is related to exactly the three Xiaomi stories")
    func leica() throws {
        let ids = try Sample.model.related(to: "leica-red-dot-leitzphone", k: 3).map(\.article.id)
        #expect(Set(ids) == ["xiaomi-17-ultra-launch", "xiaomi-tag-find-my", "xiaomi-17-global-series"])
    }

    @Test("the tracker story leads to other trackers, the derby to football, the watch to health wearables")
    func otherQueries() throws {
        let model = Sample.model
        let tag = try model.related(to: "xiaomi-tag-find-my", k: 3).map(\.article.id)
        #expect(tag.contains("google-find-hub-network") && tag.contains("airtag-2-range"))
        #expect(try model.related(to: "football-derby-result", k: 1).first?.article.id == "champions-league-draw")
        #expect(try model.related(to: "apple-watch-hypertension", k: 1).first?.article.id == "whoop-mg-fda-letter")
    }

    @Test("rankings match the golden file (ids in order, scores within 0.002)")
    func golden() throws {
        let now = try current(k: 5)
        if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(now).write(to: Self.goldenFile)
            return
        }
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: Self.goldenFile))
        #expect(golden.queries.count == now.queries.count)
        for (expected, actual) in zip(golden.queries, now.queries) {
            let label = expected.id ?? expected.title ?? "?"
            #expect(expected.results.map(\.id) == actual.results.map(\.id), "ranking of \(label) changed")
            for (e, a) in zip(expected.results, actual.results) {
                #expect(abs(e.score - a.score) < 0.002, "\(label) → \(e.id): \(e.score) became \(a.score)")
            }
        }
    }

    @Test("the committed default model is what the sample corpus builds today")
    func defaultModelIsFresh() throws {
        let committed = try ModelDirectory(path: Checkout.defaultModel).load().model
        let rebuilt = Sample.model
        var a = committed.manifest, b = rebuilt.manifest
        // Build-specific fields: when, how fast, on which BLAS.
        a.createdAt = b.createdAt
        a.stageSeconds = b.stageSeconds
        a.blas = b.blas
        #expect(abs(a.explainedVariance - b.explainedVariance) < 1e-4)
        a.explainedVariance = b.explainedVariance
        #expect(zip(a.leadingSingularValues, b.leadingSingularValues).allSatisfy { abs($0 - $1) < 1e-3 })
        a.leadingSingularValues = b.leadingSingularValues
        // `reindex` records the archive's language mix and what it chose; on this sample (96 %
        // English) it chose the defaults the test's model is built with.
        #expect(a.archiveChoice.map { $0.applied(to: b.parameters) } == b.parameters)
        a.archiveChoice = b.archiveChoice
        #expect(a == b, "models/default is stale: rebuild it with scripts/build-default-model.sh")
        #expect(committed.weighting.vocabulary == rebuilt.weighting.vocabulary)
        for article in committed.articles {
            let old = try committed.related(to: article.id, k: 5), new = try rebuilt.related(to: article.id, k: 5)
            for (o, n) in zip(old, new) where o.article.id != n.article.id {
                // Only near-ties may swap between BLAS kernels.
                #expect(abs(o.score - n.score) < 2e-3, "\(article.id): \(o.article.id) became \(n.article.id)")
            }
        }
    }
}
