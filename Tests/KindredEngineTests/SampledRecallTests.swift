import Testing

@testable import KindredEngine

@Suite("Sampled recall")
struct SampledRecallTests {
    @Test("the lower bound is the ratio less 1.645 of its standard error")
    func ratioEstimator() {
        // 39 of 40 found: residuals 0.25, 0.25, −0.75, 0.25; variance 0.75 / 3; standard error
        // √(0.25 / 4) / 10 = 0.025.
        let recall = SampledRecall(found: [10, 10, 9, 10], wanted: [10, 10, 10, 10])
        #expect(recall.mean == 0.975)
        #expect(abs(recall.lowerBound - (0.975 - 1.645 * 0.025)) < 1e-6)
        // Queries that want fewer weigh less: the ratio of the sums (13 of 15), not the mean of the
        // queries' own ratios (0.85).
        #expect(SampledRecall(found: [9, 9], wanted: [10, 10]).mean == 0.9)
        #expect(abs(SampledRecall(found: [4, 9], wanted: [5, 10]).mean - 13.0 / 15.0) < 1e-6)
    }

    @Test("a sample that found everything, or wanted nothing, is sure of itself")
    func edges() {
        #expect(SampledRecall(found: [10, 10, 10], wanted: [10, 10, 10]) == SampledRecall(exactly: 1))
        #expect(SampledRecall(found: [0, 0], wanted: [0, 0]) == SampledRecall(exactly: 1))
        #expect(SampledRecall(found: [], wanted: []) == SampledRecall(exactly: 1))
        #expect(SampledRecall(found: [7], wanted: [10]) == SampledRecall(exactly: 0.7))
    }

    @Test("more queries at the same recall narrow the bound")
    func narrowsWithSize() {
        let few = SampledRecall(found: Array(repeating: 10, count: 9) + [9], wanted: Array(repeating: 10, count: 10))
        let many = SampledRecall(
            found: Array((0..<100).map { $0 % 10 == 9 ? 9 : 10 }), wanted: Array(repeating: 10, count: 100))
        #expect(few.mean == many.mean)
        #expect(many.lowerBound > few.lowerBound)
        #expect(many.lowerBound < many.mean)
    }

    @Test("the calibration keeps the fewest whose lower bound, not whose mean, reaches the target")
    func fewestByBound() {
        let target = ApproximateIndex.calibrationTarget
        // Below 200 the mean (0.99) is above the target but the sample of 20 too noisy to be sure of
        // it (its bound is 0.99 − 1.645 · 0.01).
        let noisy = SampledRecall(found: Array(repeating: 10, count: 19) + [8], wanted: Array(repeating: 10, count: 20))
        #expect(noisy.mean >= target && !noisy.reaches(target))
        let chosen = EmbeddingIndex.fewest(from: 100, upTo: 4_096) { count in
            count < 200 ? noisy : SampledRecall(exactly: target + 0.005)
        }
        #expect((200...207).contains(chosen.0))
        #expect(chosen.1.reaches(target))
    }
}
