/// A recall@k measured on a sample of queries: the share of the exact top k the approximate
/// search found, and the least the whole population's share can be, by the sample's own spread.
///
/// A calibration keeps the narrowest setting whose sample reaches its target, and the narrowest
/// that passes is one its sample was lucky with: the sample's noise is then a bias, not a margin.
/// Asking the one-sided 95 % lower bound to reach the target leaves that noise out. Searches fail
/// rarely but sometimes wholly, so the bound lies further below the mean than a binomial's would:
/// on the generated million, 0.0041 for 1,000 held-out walks near 0.98, 0.0028 for 1,000 drafts
/// near 0.99 (docs/performance.md, *The approximate index*). The mean is a
/// ratio Σ found / Σ wanted, so its standard error is the ratio estimator's (Cochran 1977,
/// *Sampling Techniques*, §6.4): the spread of found − mean · wanted over the queries.
struct SampledRecall: Equatable, ExpressibleByFloatLiteral {
    /// Σ found / Σ wanted over the sample (1 when nothing was wanted).
    let mean: Float
    /// The mean less 1.645 standard errors: what the population reaches with 95 % confidence.
    let lowerBound: Float

    /// The one-sided 95 % point of the normal distribution.
    static let confidenceFactor: Float = 1.645

    /// The recall of queries that each found `found[i]` of the `wanted[i]` they should have.
    init(found: [Int], wanted: [Int]) {
        precondition(found.count == wanted.count, "one count found per count wanted")
        let total = wanted.reduce(0, +), n = found.count
        guard total > 0, n > 0 else {
            (mean, lowerBound) = (1, 1)
            return
        }
        let ratio = Double(found.reduce(0, +)) / Double(total)
        guard n > 1 else {
            (mean, lowerBound) = (Float(ratio), Float(ratio))
            return
        }
        var squares = 0.0
        for (f, w) in zip(found, wanted) {
            let residual = Double(f) - ratio * Double(w)
            squares += residual * residual
        }
        let meanWanted = Double(total) / Double(n)
        let standardError = (squares / Double(n - 1) / Double(n)).squareRoot() / meanWanted
        mean = Float(ratio)
        lowerBound = Float(ratio - Double(Self.confidenceFactor) * standardError)
    }

    /// A recall known exactly (no sample): its bound is itself.
    init(exactly recall: Float) {
        (mean, lowerBound) = (recall, recall)
    }

    init(floatLiteral value: Float) {
        self.init(exactly: value)
    }

    /// Whether the sample makes the target sure (its lower bound reaches it).
    func reaches(_ target: Float) -> Bool { lowerBound >= target }
}
