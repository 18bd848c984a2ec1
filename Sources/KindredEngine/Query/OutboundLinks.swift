import Foundation

/// Finds the articles a draft already links to: URLs of indexed articles in its text (plain, in
/// HTML `href`s or Markdown links) and article ids written out, such as `[[xiaomi-tag-tracker]]`.
///
/// A bare word counts as an id only when it holds a character other than a letter (`-`, `_`, a
/// digit): ids like `xiaomi-17-ultra` are safe to spot in prose, a one-word id like `gcc` is not.
public enum OutboundLinks {
    /// Characters that end a URL or a word in running text and markup.
    static let separators = CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: "\"'<>()[]{}|`"))
    static let trailingPunctuation = CharacterSet(charactersIn: ".,;:!?*")

    /// The references in `text`: normalised URLs (see `normalizedURL`) and id-like words.
    public static func references(in text: String) -> (urls: Set<String>, words: Set<String>) {
        var urls = Set<String>(), words = Set<String>()
        for piece in text.components(separatedBy: separators) {
            var token = piece.trimmingCharacters(in: trailingPunctuation)
            if token.hasPrefix("href=") { token.removeFirst(5) }
            guard !token.isEmpty else { continue }
            let lower = token.lowercased()
            if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
                urls.insert(normalizedURL(token))
            } else if token.unicodeScalars.contains(where: { !CharacterSet.letters.contains($0) }) {
                words.insert(token)
            }
        }
        return (urls, words)
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
