import Foundation

/// Finds the articles a draft already links to: URLs of indexed articles in its text (plain, in
/// HTML `href`s or Markdown links) and article ids written out, such as `[[xiaomi-tag-tracker]]`.
///
/// A bare word counts as an id only when it holds a character other than a letter (`-`, `_`, a
/// digit): ids like `xiaomi-17-ultra` are safe to spot in prose, a one-word id like `gcc` is not.
public enum OutboundLinks {
    /// The references in `text`: normalised URLs (see `normalizedURL`) and id-like words.
    ///
    /// Every draft a server answers is scanned, most of them without a link: the pieces are cut
    /// from the text's scalars directly (Foundation's `components(separatedBy:)` and
    /// `trimmingCharacters(in:)` took an eighth of a draft request's time at a million articles).
    public static func references(in text: String) -> (urls: Set<String>, words: Set<String>) {
        var urls = Set<String>(), words = Set<String>()
        let scalars = text.unicodeScalars
        var start = scalars.startIndex
        func take(_ end: String.UnicodeScalarView.Index) {
            var piece = scalars[start..<end]
            while let first = piece.first, isTrailingPunctuation(first) { piece.removeFirst() }
            while let last = piece.last, isTrailingPunctuation(last) { piece.removeLast() }
            if piece.starts(with: "href=".unicodeScalars) { piece.removeFirst(5) }
            guard !piece.isEmpty else { return }
            if hasWebScheme(piece) {
                urls.insert(normalizedURL(String(piece)))
            } else if piece.contains(where: { !isLetter($0) }) {
                words.insert(String(piece))
            }
        }
        var index = start
        while index < scalars.endIndex {
            if isSeparator(scalars[index]) {
                if start < index { take(index) }
                start = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        if start < scalars.endIndex { take(scalars.endIndex) }
        return (urls, words)
    }

    /// What ends a URL or a word in running text and markup: white space and `"'<>()[]{}|` and
    /// the backquote.
    static func isSeparator(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "\"", "'", "<", ">", "(", ")", "[", "]", "{", "}", "|", "`": true
        default: scalar.properties.isWhitespace
        }
    }

    /// Punctuation trimmed from both ends of a piece: `.,;:!?*`.
    static func isTrailingPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case ".", ",", ";", ":", "!", "?", "*": true
        default: false
        }
    }

    /// A letter or a combining mark (Unicode categories L and M).
    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .nonspacingMark, .spacingMark, .enclosingMark:
            true
        default: false
        }
    }

    /// Whether a piece starts with `http://` or `https://`, in any case.
    static func hasWebScheme(_ piece: Substring.UnicodeScalarView) -> Bool {
        guard let first = piece.first, first == "h" || first == "H" else { return false }
        let lower = piece.prefix(8).map { $0.properties.lowercaseMapping }.joined()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://")
    }

    /// A URL compared without its scheme, a leading `www.`, fragment or trailing slash, with the
    /// host lower-cased: `https://www.Example.com/a/#top` and `http://example.com/a` are one link.
    public static func normalizedURL(_ url: String) -> String {
        var text = Substring(url)
        if let range = text.range(of: "://") { text = text[range.upperBound...] }
        if let hash = text.firstIndex(of: "#") { text = text[..<hash] }
        var host = text.prefix { $0 != "/" && $0 != "?" }.lowercased()
        if host.hasPrefix("www.") { host.removeFirst(4) }
        var rest = String(text.dropFirst(text.prefix { $0 != "/" && $0 != "?" }.count))
        while rest.hasSuffix("/") { rest.removeLast() }
        return host + rest
    }
}
