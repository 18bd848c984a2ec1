import Foundation

/// The check and the wording shared by the approximate index's two calibrated settings (the
/// lists' probes, the graph's beam): a recall@10 against exact search measured at build time on
/// some number of sampled articles, 0 of them meaning not calibrated.
enum CalibratedRecall {
    /// What is wrong with a stored measurement, or nil.
    static func problem(recall: Float, queries: Int) -> String? {
        recall.isFinite && (0...1).contains(recall) && queries >= 0
            ? nil : "calibration recall \(recall) on \(queries) queries"
    }

    /// ", recall@10 0.985 against exact on 256 sampled articles", or "" when not calibrated.
    static func clause(recall: Float, queries: Int) -> String {
        queries > 0
            ? ", recall@10 \(String(format: "%.3f", recall)) against exact on \(queries) sampled articles" : ""
    }
}
