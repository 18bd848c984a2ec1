import Foundation

/// A setting of the approximate index chosen when the model was built (the lists' probes, the
/// graph's beam), with the recall@10 against exact search measured for it on sampled articles.
/// No sampled articles means it was not calibrated: an index too small for any search of it to
/// be approximate.
public struct Calibration: Sendable, Equatable {
    public let value: Int
    public let recall: Float
    public let queries: Int

    public init(value: Int, recall: Float = 0, queries: Int = 0) {
        self.value = value
        self.recall = recall
        self.queries = queries
    }

    /// What is wrong with a stored calibration of `name` whose value must lie in `values`, or nil.
    func problem(_ name: String, in values: ClosedRange<Int>) -> String? {
        guard values.contains(value) else { return "\(name) \(value), outside \(values)" }
        return recall.isFinite && (0...1).contains(recall) && queries >= 0
            ? nil : "\(name)'s calibration recall \(recall) on \(queries) queries"
    }

    /// ", recall@10 0.985 against exact on 256 sampled articles", or "" when not calibrated.
    var clause: String {
        queries > 0 ? ", recall@10 \(String(format: "%.3f", recall)) against exact on \(queries) sampled articles" : ""
    }
}
