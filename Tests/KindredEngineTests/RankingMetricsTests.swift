import Foundation
import Testing

@testable import KindredEngine

/// Metrics against hand-worked examples. log₂ values: 1/log₂2 = 1, 1/log₂3 ≈ 0.63093,
/// 1/log₂4 = 0.5, 1/log₂5 ≈ 0.43068.
@Suite("Ranking metrics")
struct RankingMetricsTests {
    func near(_ a: Double, _ b: Double) -> Bool { abs(a - b) < 1e-4 }

    @Test("hits at ranks 1 and 3 of 4, two of three relevant")
    func handWorked() throws {
        let m = try #require(RankingMetrics(ranking: ["a", "x", "b", "y"], relevant: ["a", "b", "c"], k: 4))
        #expect(near(m.precision, 2.0 / 4))
        #expect(near(m.recall, 2.0 / 3))
        // DCG = 1 + 0.5 = 1.5; ideal (3 relevant, k 4) = 1 + 0.63093 + 0.5 = 2.13093
        #expect(near(m.ndcg, 1.5 / 2.13093))
        #expect(near(m.reciprocalRank, 1))
    }

    @Test("no relevant result: everything 0")
    func missingAnswers() throws {
        let m = try #require(RankingMetrics(ranking: ["x", "y"], relevant: ["a"], k: 2))
        #expect(m == RankingMetrics(precision: 0, recall: 0, ndcg: 0, reciprocalRank: 0))
    }

    @Test("fewer results than k: precision still divides by k")
    func fewerThanK() throws {
        let m = try #require(RankingMetrics(ranking: ["x", "a"], relevant: ["a"], k: 10))
        #expect(near(m.precision, 0.1))
        #expect(near(m.recall, 1))
        #expect(near(m.ndcg, 0.63093))
        #expect(near(m.reciprocalRank, 0.5))
    }

    @Test("the cut-off ignores results after k")
    func cutOff() throws {
        let m = try #require(RankingMetrics(ranking: ["x", "y", "a"], relevant: ["a"], k: 2))
        #expect(m.recall == 0 && m.reciprocalRank == 0)
    }

    @Test("a repeated id counts once, at its first rank (ties were broken before)")
    func ties() throws {
        let m = try #require(RankingMetrics(ranking: ["a", "a", "b"], relevant: ["a", "b"], k: 3))
        #expect(near(m.recall, 1))
        // a at rank 1, b at rank 2 once the repeat is dropped: ideal ranking, nDCG 1.
        #expect(near(m.ndcg, 1))
    }

    @Test("a query without relevant answers is left out")
    func noRelevant() {
        #expect(RankingMetrics(ranking: ["a"], relevant: [], k: 5) == nil)
    }

    @Test("the mean is a macro average")
    func mean() {
        let mean = RankingMetrics.mean([
            RankingMetrics(precision: 1, recall: 1, ndcg: 1, reciprocalRank: 1),
            RankingMetrics(precision: 0, recall: 0.5, ndcg: 0, reciprocalRank: 0.5),
        ])
        #expect(mean == RankingMetrics(precision: 0.5, recall: 0.75, ndcg: 0.5, reciprocalRank: 0.75))
    }

    @Test("evaluation skips unknown queries and answers, and never counts the query itself")
    func evaluation() {
        let judgements: [String: Set<String>] = ["q": ["q", "a", "gone"], "missing": ["a"], "lonely": ["gone"]]
        let report = Evaluation(k: 2).run(
            judgements: judgements, known: { ["q", "a", "b", "lonely"].contains($0) },
            rank: { _ in [("b", 0.3), ("a", 0.12)] })
        #expect(report.queries == 1)
        #expect(report.skipped == 2)
        #expect(near(report.metrics.recall, 1))
        #expect(near(report.metrics.reciprocalRank, 0.5))
        // b (0.3) is a miss, a (0.12) a hit: a floor of 0.15 keeps b and loses the hit.
        let floor = report.floors.first { $0.floor == 0.15 }!
        #expect(floor.recallKept == 0)
        #expect(floor.precisionOfDropped == 1)
        #expect(floor.precisionOfKept == 0)
        #expect(floor.meanResults == 1)
        let none = report.floors.first { $0.floor == -1 }!
        #expect(none.recallKept == 1 && none.precisionOfDropped == nil && none.meanResults == 2)
    }

    @Test("qrels are read with file and line in errors")
    func qrels() throws {
        let directory = try temporaryDirectory()
        defer { cleanUp(directory) }
        try "{\"id\": \"a\", \"relevant\": [\"b\", \"c\"]}\n\n{\"id\": \"b\", \"relevant\": []}\n"
            .write(toFile: directory + "/q.jsonl", atomically: true, encoding: .utf8)
        #expect(try Qrels.read(path: directory + "/q.jsonl") == ["a": ["b", "c"], "b": []])
        try "{\"id\": \"a\"}\n".write(toFile: directory + "/bad.jsonl", atomically: true, encoding: .utf8)
        let error = #expect(throws: CorpusError.self) { try Qrels.read(path: directory + "/bad.jsonl") }
        #expect(error?.path.hasSuffix("bad.jsonl:1") == true)
    }
}
