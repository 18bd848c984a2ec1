import Foundation

/// Recency decay blended into the score: `score · ((1 − w) + w · 2^(−age / halfLife))`.
///
/// News relevance fades: a week-old story on the same topic usually beats a two-year-old one
/// that matches slightly better. The decay is exponential with a half-life, the form used for
/// time-aware ranking since Li & Croft, "Time-based language models" (CIKM 2003); the weight `w`
/// keeps old but close matches in the list instead of letting age alone decide. An undated
/// article gets no recency credit (it is treated as infinitely old), and an article dated after
/// the reference time counts as new.
public struct Freshness: Sendable, Equatable {
    /// Days after which the recency credit halves.
    public var halfLifeDays: Double
    /// Share of the score that depends on recency, 0…1.
    public var weight: Float

    public static let defaultWeight: Float = 0.5
    /// The longest half-life accepted, in days: a century, past which freshness changes nothing.
    public static let longestHalfLifeDays = 36_500.0

    public init(halfLifeDays: Double, weight: Float = Freshness.defaultWeight) {
        self.halfLifeDays = halfLifeDays
        self.weight = weight
    }

    /// - Throws: `EngineError.invalidParameter` for a half-life that is not positive or a weight
    ///   outside 0…1.
    public func validate() throws {
        guard halfLifeDays.isFinite, halfLifeDays > 0, halfLifeDays <= Self.longestHalfLifeDays else {
            throw EngineError.invalid(
                .halfLife, halfLifeDays, allowed: "between 0 and \(Int(Self.longestHalfLifeDays)) days (exclusive of 0)"
            )
        }
        guard weight.isFinite, (0...1).contains(weight) else {
            throw EngineError.invalid(.freshnessWeight, weight, allowed: "between 0 and 1")
        }
    }

    /// The multiplier for an article published at `published`, seen at `now`.
    public func factor(published: Date?, now: Date) -> Float {
        guard let published else { return 1 - weight }
        let ageDays = max(0, now.timeIntervalSince(published) / 86_400)
        return (1 - weight) + weight * Float(exp2(-ageDays / halfLifeDays))
    }
}
