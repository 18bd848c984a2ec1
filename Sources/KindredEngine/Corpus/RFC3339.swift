import Foundation

/// RFC 3339 timestamps (`2026-11-25T14:50:00Z`, offsets and fractional seconds allowed).
///
/// Uses Foundation's `Date.ISO8601FormatStyle` values, which are `Sendable` and cheap to reuse;
/// creating an `ISO8601DateFormatter` per call cost more than answering a query.
public enum RFC3339 {
    private static let plain = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!)
    private static let fractional = Date.ISO8601FormatStyle(
        includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!)

    /// Parses a timestamp, or returns nil when it is not RFC 3339.
    public static func parse(_ text: String) -> Date? {
        if let date = try? plain.parse(text) { return date }
        return try? fractional.parse(text)
    }

    /// Formats a date in UTC with second precision (`2026-11-25T14:50:00Z`).
    public static func format(_ date: Date) -> String {
        plain.format(date)
    }
}
