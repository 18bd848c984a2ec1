import Foundation
import Testing

@testable import KindredEngine

/// Correlations against hand-worked values, the pairs reader's errors, and the pair score against
/// the score the same article gets in a related list.
@Suite("Rated pairs and their correlation")
struct PairCorrelationTests {
    func near(_ a: Double?, _ b: Double) -> Bool { a.map { abs($0 - b) < 1e-9 } ?? false }

    @Test("Pearson and Spearman on hand-worked samples, ties given their mean rank")
    func handWorked() {
        // y = 2x + 1: both 1.
        #expect(near(PairCorrelation.pearson([1, 2, 3, 4], [3, 5, 7, 9]), 1))
        #expect(near(PairCorrelation.spearman([1, 2, 3, 4], [3, 5, 7, 9]), 1))
        // Monotone but not linear: Spearman 1, Pearson below.
        let pearson = PairCorrelation.pearson([1, 2, 3, 4], [1, 4, 9, 100])!
        #expect(pearson < 0.9 && pearson > 0.7)
        #expect(near(PairCorrelation.spearman([1, 2, 3, 4], [1, 4, 9, 100]), 1))
        // Reversed: −1.
        #expect(near(PairCorrelation.pearson([1, 2, 3], [3, 2, 1]), -1))
        // Ties: ranks of [10, 20, 20, 30] are [1, 2.5, 2.5, 4].
        #expect(PairCorrelation.ranks([10, 20, 20, 30]) == [1, 2.5, 2.5, 4])
        #expect(PairCorrelation.ranks([5, 5, 5]) == [2, 2, 2])
        // x = [1, 2, 3], y = [1, 3, 2]: cov 0.5·2 = 1 over √(2·2): r = 0.5.
        #expect(near(PairCorrelation.pearson([1, 2, 3], [1, 3, 2]), 0.5))
        // No variance on a side: undefined, not NaN.
        #expect(PairCorrelation.pearson([1, 1, 1], [1, 2, 3]) == nil)
        #expect(PairCorrelation.pearson([1], [1]) == nil)
    }

    @Test("groups by language, most pairs first, and counts a pair without a score as 0")
    func groups() {
        let pairs = [
            RatedPair(first: "a", second: "b", rating: 3), RatedPair(first: "c", second: "d", rating: 1),
            RatedPair(first: "e", second: "f", rating: 0), RatedPair(first: "x", second: "y", rating: 2),
            RatedPair(first: "g", second: "h", rating: 2),
        ]
        let language = ["a": "en", "c": "en", "e": "en", "x": "de", "g": "de"]
        let scores: [String: Float] = ["a": 0.9, "c": 0.4, "e": 0.1, "g": 0.5]
        let correlation = PairCorrelation(pairs: pairs, language: { language[$0.first] }) { scores[$0.first] }
        #expect(correlation.overall.pairs == 5 && correlation.overall.unscored == 1)
        #expect(correlation.languages.map(\.language) == ["en", "de"])
        #expect(near(correlation.languages[0].spearman, 1))
        // German: ratings [2, 2] have no variance.
        #expect(correlation.languages[1].pearson == nil)
        // Overall with the unscored pair at 0: scores [0.9, 0.4, 0.1, 0, 0.5] against [3, 1, 0, 2, 2].
        let expected = PairCorrelation.pearson(
            [3, 1, 0, 2, 2], [Double(Float(0.9)), Double(Float(0.4)), Double(Float(0.1)), 0, 0.5])!
        #expect(near(correlation.overall.pearson, expected))
    }

    @Test("the pairs file: a header is skipped, blank lines too, and a bad line is named")
    func reader() throws {
        let directory = try temporaryDirectory()
        defer { cleanUp(directory) }
        let good = directory + "/pairs.tsv"
        try "id1\tid2\tsimilarity\n1\t2\t3.0\n\n3\t4\t0.5\n".write(toFile: good, atomically: true, encoding: .utf8)
        #expect(
            try RatedPair.read(path: good) == [
                RatedPair(first: "1", second: "2", rating: 3), RatedPair(first: "3", second: "4", rating: 0.5),
            ])
        let bad = directory + "/bad.tsv"
        try "1\t2\t3.0\n3\t4\tvery\n".write(toFile: bad, atomically: true, encoding: .utf8)
        #expect(throws: CorpusError.self) { try RatedPair.read(path: bad) }
        do {
            _ = try RatedPair.read(path: bad)
        } catch let error as CorpusError {
            #expect(error.path == bad + ":2" && error.reason.contains("'very' is not a number"))
        }
        let short = directory + "/short.tsv"
        try "1 2 3\n".write(toFile: short, atomically: true, encoding: .utf8)
        #expect(throws: CorpusError.self) { try RatedPair.read(path: short) }
        #expect(throws: CorpusError.self) { try RatedPair.read(path: directory + "/missing.tsv") }
    }

    @Test("a pair's score is the score the second article has in the first one's related list")
    func pairScoreMatchesList() throws {
        let model = Sample.model
        let row = try #require(model.row(of: "leica-red-dot-leitzphone"))
        let list = try model.related(to: "leica-red-dot-leitzphone", k: 5)
        #expect(list.count == 5)
        // Equal to rounding: a list of a corpus this small is searched in Float with `sgemm`,
        // which sums the LSA dot product in another order.
        for entry in list {
            let other = try #require(model.row(of: entry.article.id))
            let score = try #require(model.similarity(row: row, to: other))
            #expect(abs(score - entry.score) < 1e-5, "\(entry.article.id)")
        }
        // An article outside the list scores below the list's last entry.
        let listed = Set(list.map(\.article.id))
        let outside = try #require(
            model.articles.indices.first { $0 != row && !listed.contains(model.articles[$0].id) })
        #expect(try #require(model.similarity(row: row, to: outside)) <= list.last!.score)
    }
}
