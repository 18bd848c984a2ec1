import Foundation

/// RFC 3339 timestamps (`2026-11-25T14:50:00Z`, offsets and fractional seconds allowed).
public enum RFC3339 {
    /// Parses a timestamp, or returns nil when it is not RFC 3339.
    public static func parse(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }

    /// Formats a date in UTC with second precision (`2026-11-25T14:50:00Z`).
    public static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
