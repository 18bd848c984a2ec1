import CKindredHTML
import Foundation

/// Text out of HTML, for article bodies a CMS stores as markup (WordPress, Drupal, Ghost).
///
/// libxml2's HTML parser (the one browsers' error recovery was modelled on, in its `RECOVER`
/// mode) reads the markup; a walk over the tree keeps what a reader sees: text nodes, entities
/// decoded, link texts and image `alt`s; block elements end a line so words on either side don't
/// run together. Comments (WordPress's `<!-- wp:… -->` block markers included), `script`, `style`
/// and similar elements are dropped, and WordPress shortcodes (`[caption …]`, `[/caption]`) are
/// removed with their text kept. The `href`s of links are returned beside the text: a draft's
/// links are articles the reader already has.
public enum HTMLText {
    /// What a body yields: the text to analyse and the targets of its links, in order.
    public struct Extracted: Sendable, Equatable {
        public var text: String
        public var links: [String]
    }

    /// Whether `text` looks like markup: a tag of an HTML element (`<p`, `</div>`, `<br/>`: a
    /// name of `elementNames` ended by a space, `>` or `/`) or a comment closed within the next
    /// 2,000 characters, or a character entity (`&nbsp;`, `&#8217;`: a `#` and digits, or two
    /// letters or more). Plain text that merely mentions "<" or "&" ("a < b", "AT&T", "R&D;") is
    /// not markup, nor is text that names a header file or a key in angle brackets
    /// (`#include <stdio.h>`, `<Ctrl>`): manual pages and technical stories do.
    public static func looksLikeHTML(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            // Most bodies hold neither byte: two `memchr` scans settle them.
            guard let base = bytes.baseAddress,
                memchr(base, Int32(UInt8(ascii: "<")), bytes.count) != nil
                    || memchr(base, Int32(UInt8(ascii: "&")), bytes.count) != nil
            else { return false }
            return containsMarkup(UnsafeBufferPointer(rebasing: bytes.prefix(1 << 20)))
        }
    }

    private static func containsMarkup(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "<") where i + 1 < bytes.count:
                let opensTag = bytes[i + 1] == UInt8(ascii: "!") || isElementTag(bytes, at: i + 1)
                if opensTag, bytes[(i + 1)..<min(bytes.count, i + 2_000)].contains(UInt8(ascii: ">")) { return true }
            case UInt8(ascii: "&"):
                if let end = bytes[(i + 1)..<min(bytes.count, i + 12)].firstIndex(of: UInt8(ascii: ";")) {
                    let name = bytes[(i + 1)..<end]
                    let numeric =
                        name.first == UInt8(ascii: "#") && name.dropFirst().allSatisfy { isDigit($0) || isLetter($0) }
                    if numeric && name.count > 1 || name.count >= 2 && name.allSatisfy(isLetter) { return true }
                }
            default: break
            }
            i += 1
        }
        return false
    }

    /// The text and link targets of an HTML fragment or document (`kindred_html_extract`, in C),
    /// shortcodes removed. Markup libxml2 can't read at all comes back as it was, shortcodes removed.
    public static func extract(_ html: String) -> Extracted {
        var source = html
        return source.withUTF8 { bytes -> Extracted in
            var text: UnsafeMutablePointer<CChar>?, links: UnsafeMutablePointer<CChar>?
            var textLength = 0, linksLength = 0
            let status = bytes.withMemoryRebound(to: CChar.self) {
                kindred_html_extract($0.baseAddress, $0.count, &text, &textLength, &links, &linksLength)
            }
            defer {
                free(text)
                free(links)
            }
            guard status == 0 else { return Extracted(text: removingShortcodes(html), links: []) }
            func string(_ pointer: UnsafeMutablePointer<CChar>?, _ count: Int) -> String {
                guard let pointer else { return "" }
                return String(decoding: UnsafeRawBufferPointer(start: pointer, count: count), as: UTF8.self)
            }
            let targets = string(links, linksLength).split(separator: "\n").map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            return Extracted(text: removingShortcodes(string(text, textLength)), links: targets.filter { !$0.isEmpty })
        }
    }

    /// The text without WordPress shortcodes: `[name attributes]` and `[/name]`, where `name` is
    /// lower-case letters, digits, `_` or `-` and the bracket closes on the same line. Other
    /// brackets ("[1]", "[sic]" followed by a space) stay when they don't look like a shortcode.
    static func removingShortcodes(_ text: String) -> String {
        guard text.contains("[") else { return text }
        var result = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "[") {
            result += rest[..<open]
            let after = rest[rest.index(after: open)...]
            let name = after.drop { $0 == "/" }.prefix {
                $0.isLetter && $0.isLowercase || $0.isNumber || $0 == "_" || $0 == "-"
            }
            if let first = name.first, first.isLetter, let close = after.firstIndex(of: "]"),
                !after[..<close].contains("\n")
            {
                result += " "
                rest = after[after.index(after: close)...]
            } else {
                result += "["
                rest = after
            }
        }
        return result + rest
    }

    /// Whether the bytes from `start` are an HTML element's name, after an optional `/`, ended by
    /// whitespace, `>` or `/`.
    private static func isElementTag(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        var i = start
        if bytes[i] == UInt8(ascii: "/") { i += 1 }
        let nameStart = i
        while i < bytes.count, i - nameStart <= 10, isLetter(bytes[i]) || isDigit(bytes[i]) { i += 1 }
        guard i > nameStart, i < bytes.count else { return false }
        let end = bytes[i]
        guard
            end == UInt8(ascii: ">") || end == UInt8(ascii: "/") || end == UInt8(ascii: " ") || end == 0x09
                || end == 0x0A || end == 0x0D
        else { return false }
        return elementNames.contains(String(decoding: bytes[nameStart..<i], as: UTF8.self).lowercased())
    }

    /// HTML elements article bodies are written with (the HTML Living Standard's, plus the old
    /// presentational ones CMSs still store), leaving out names that technical text uses as
    /// placeholders in angle brackets (`<source>`, `<time>`, `<value>`, `<title>`).
    static let elementNames: Set<String> = [
        "a", "abbr", "address", "article", "aside", "audio", "b", "big", "blockquote", "br", "caption", "center",
        "cite", "dd", "del", "div", "dl", "dt", "em", "figcaption", "figure", "font", "footer", "h1", "h2", "h3", "h4",
        "h5", "h6", "header", "hr", "html", "i", "iframe", "img", "ins", "kbd", "li", "nav", "noscript", "ol", "p",
        "picture", "pre", "samp", "script", "span", "strike", "strong", "style", "sub", "sup", "svg", "table",
        "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "u", "ul", "video", "wbr",
    ]

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
    }
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
