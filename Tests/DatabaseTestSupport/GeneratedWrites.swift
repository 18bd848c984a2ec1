import Foundation

/// Article writes as a publishing system sends them, generated from a seed: titles and bodies
/// with HTML entities, markup, escaped code, control characters and text in several scripts;
/// ids with accents in either Unicode normalisation; every optional field, present or not. The
/// journal round-trip tests feed them to every path that stores a write.
public struct GeneratedWrites: Sendable {
    /// SplitMix64 (Steele, Lea and Flood, OOPSLA 2014): a small, seedable generator, so a failing
    /// case is reproduced by its seed.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Pieces of text that a reader could change on a second pass, or that JSON must escape.
    static let awkward = [
        "&lt;br&gt;", "Use &lt;b&gt; tags on phone pages", "AT&amp;T", "&amp;lt;", "<b>bold</b>", "<br>",
        "a < b && c > d", "&nbsp;", "&#x1F4F7;", "&copy; Leica", "\u{7}", "\t", "line\nbreak", "\u{1F}",
        "caf\u{E9}", "cafe\u{301}", "日本のスマートフォン", "📷", "\"quoted\"", "back\\slash", "<script>x()</script>",
        "&lt;code&gt;if (a &amp;&amp; b)&lt;/code&gt;", "<p>para</p>", "&unknown;", "&#0;", "\u{2028}",
    ]
    static let words = [
        "Xiaomi", "Leica", "camera", "phone", "red", "dot", "tracker", "battery", "launch", "lens", "sensor",
        "telephoto", "football", "derby", "score", "review", "price", "global", "series", "update",
    ]

    public let seed: UInt64

    public init(seed: UInt64) { self.seed = seed }

    /// `count` writes, each a JSON object as the API's PUT takes it (the id included).
    public func fields(_ count: Int) -> [[String: Any]] {
        var generator = Generator(state: seed)
        return (0..<count).map { n in Self.write(n, using: &generator) }
    }

    static func text(_ pieces: Int, using generator: inout Generator) -> String {
        (0..<pieces).map { _ in
            Bool.random(using: &generator)
                ? words.randomElement(using: &generator)! : awkward.randomElement(using: &generator)!
        }.joined(separator: " ")
    }

    static func write(_ n: Int, using generator: inout Generator) -> [String: Any] {
        let accent = ["", "-caf\u{E9}", "-cafe\u{301}", "-日本"].randomElement(using: &generator)!
        var fields: [String: Any] = [
            "id": "generated-\(n)\(accent)",
            "title": text(Int.random(in: 1...5, using: &generator), using: &generator),
            "body": "Xiaomi Leica camera phone " + text(Int.random(in: 3...30, using: &generator), using: &generator),
        ]
        if Bool.random(using: &generator) {
            fields["body_format"] = Bool.random(using: &generator) ? "text" : "html"
        }
        if Bool.random(using: &generator) { fields["url"] = "https://news.example.com/generated/\(n)?a=1&b=2" }
        if Bool.random(using: &generator) {
            fields["section"] = ["phones", "sport", "caf\u{E9}"].randomElement(using: &generator)!
        }
        if Bool.random(using: &generator) {
            fields["language"] = ["en", "en-GB", "de"].randomElement(using: &generator)!
        }
        if Bool.random(using: &generator) {
            fields["tags"] = (0..<Int.random(in: 0...3, using: &generator)).map { _ in
                awkward.randomElement(using: &generator)!
            }
        }
        if Bool.random(using: &generator) {
            fields["published_at"] = [
                "2026-11-30T08:00:00Z", "2026-11-30T08:00:00.123456Z", "2026-11-30T09:00:00+01:00",
            ]
            .randomElement(using: &generator)!
        }
        return fields
    }

    /// A write as the JSON text of a request body.
    public static func json(_ fields: [String: Any]) -> String {
        let data = try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
