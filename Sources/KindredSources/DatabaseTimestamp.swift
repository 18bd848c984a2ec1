import Foundation

/// Timestamps as databases write them in text: `2026-11-26 14:03:40`, with optional fractional
/// seconds and an optional offset (`+00`, `+05:30`, `Z`), a `T` accepted in place of the space.
/// Values without an offset are taken as UTC (WordPress's `post_modified_gmt`, SQLite's
/// `datetime('now')`, MariaDB's session set to UTC).
enum DatabaseTimestamp {
    private static let utc = TimeZone(identifier: "UTC")!

    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[range] {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), bytes.count >= 10, bytes[4] == 0x2D, let month = number(5..<7),
            bytes[7] == 0x2D, let day = number(8..<10)
        else { return nil }
        var components = DateComponents(
            calendar: Calendar(identifier: .gregorian), timeZone: utc, year: year, month: month, day: day)
        var i = 10
        var fraction = 0.0
        var offset = 0
        if i < bytes.count {
            guard bytes[i] == 0x20 || bytes[i] == 0x54, let hour = number(11..<13), bytes.count >= 19,
                bytes[13] == 0x3A, let minute = number(14..<16), bytes[16] == 0x3A, let second = number(17..<19)
            else { return nil }
            components.hour = hour
            components.minute = minute
            components.second = second
            i = 19
            if i < bytes.count, bytes[i] == 0x2E {
                var scale = 0.1
                i += 1
                while i < bytes.count, (0x30...0x39).contains(bytes[i]) {
                    fraction += Double(bytes[i] - 0x30) * scale
                    scale /= 10
                    i += 1
                }
            }
            if i < bytes.count {
                if bytes[i] == 0x5A {
                    i += 1
                } else if bytes[i] == 0x2B || bytes[i] == 0x2D {
                    let sign = bytes[i] == 0x2B ? 1 : -1
                    guard let hours = number(i + 1..<i + 3) else { return nil }
                    i += 3
                    var minutes = 0
                    if i < bytes.count {
                        if bytes[i] == 0x3A { i += 1 }
                        guard let value = number(i..<i + 2) else { return nil }
                        minutes = value
                        i += 2
                    }
                    offset = sign * (hours * 3600 + minutes * 60)
                }
            }
            guard i == bytes.count else { return nil }
        }
        guard components.isValidDate, let date = components.date else { return nil }
        return date.addingTimeInterval(fraction - Double(offset))
    }

    /// `2026-11-26 14:03:40` in UTC, whole seconds: the form every supported database compares
    /// with its own timestamp columns.
    static func format(_ date: Date) -> String {
        let components = Calendar(identifier: .gregorian).dateComponents(in: utc, from: date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d", components.year ?? 1970, components.month ?? 1,
            components.day ?? 1, components.hour ?? 0, components.minute ?? 0, components.second ?? 0)
    }
}
