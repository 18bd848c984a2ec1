import Foundation
import Testing

@testable import KindredEngine

@Suite("TF-IDF weighting")
struct TermWeightingTests {
    /// Three articles, vocabulary {apple, pear}: apple in 1 article, pear in 3.
    let weighting = TermWeighting(
        vocabulary: try! Vocabulary(terms: ["apple", "pear"], documentFrequencies: [1, 3]), documentCount: 3)

    @Test("smoothed idf is ln((1 + n) / (1 + df)) + 1")
    func idf() {
        #expect(abs(weighting.globalWeights[0] - Float(log(4.0 / 2.0) + 1)) < 1e-6)
        #expect(abs(weighting.globalWeights[1] - 1) < 1e-6)
    }

    @Test("sublinear tf is 1 + ln tf, and tf itself below 1")
    func sublinear() {
        #expect(TermWeighting.sublinear(1) == 1)
        #expect(abs(TermWeighting.sublinear(4) - Float(1 + log(4.0))) < 1e-6)
        #expect(TermWeighting.sublinear(0.5) == 0.5)
    }

    @Test("a vector is the L2-normalised product, worked by hand")
    func handWorked() {
        // apple: tf 2 → (1 + ln 2)·(ln 2 + 1); pear: tf 1 → 1·1; unknown terms are ignored.
        let vector = weighting.vector(counts: ["pear": 1, "apple": 2, "plum": 5])
        let apple = (1 + log(2.0)) * (log(2.0) + 1), pear = 1.0
        let norm = (apple * apple + pear * pear).squareRoot()
        #expect(vector.indices == [0, 1])
        #expect(abs(Double(vector.values[0]) - apple / norm) < 1e-6)
        #expect(abs(Double(vector.values[1]) - pear / norm) < 1e-6)
    }

    @Test("text with no known term gives an empty vector")
    func empty() {
        #expect(weighting.vector(counts: ["plum": 3]).isEmpty)
        #expect(weighting.vector(counts: [:]).isEmpty)
    }

    @Test("vocabulary refuses repeated terms")
    func repeatedTerms() {
        #expect(throws: EngineError.self) { try Vocabulary(terms: ["a", "a"], documentFrequencies: [1, 1]) }
    }
}

@Suite("Top-k selection")
struct TopKTests {
    @Test("keeps the k best, best first, ties to the lower index")
    func selection() {
        var top = TopK(k: 3)
        for (i, score) in [0.1, 0.9, 0.5, 0.9, 0.2, 0.7].enumerated() { top.offer(index: i, score: Float(score)) }
        #expect(top.sorted().map(\.index) == [1, 3, 5])
    }

    @Test("fewer candidates than k, and k = 0")
    func edges() {
        var top = TopK(k: 5)
        top.offer(index: 0, score: -1)
        top.offer(index: 1, score: 0.5)
        #expect(top.sorted().map(\.index) == [1, 0])
        var none = TopK(k: 0)
        none.offer(index: 0, score: 1)
        #expect(none.sorted().isEmpty)
    }

    @Test("matches a full sort on random scores")
    func randomScores() {
        var generator = SystemRandomNumberGenerator()
        let scores = (0..<500).map { _ in Float.random(in: -1...1, using: &generator) }
        var top = TopK(k: 17)
        for (i, s) in scores.enumerated() { top.offer(index: i, score: s) }
        let expected = scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }.prefix(17)
        #expect(top.sorted().map(\.index) == Array(expected))
    }
}
