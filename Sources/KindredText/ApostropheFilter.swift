/// Resolves apostrophes the tokenizer kept inside words.
///
/// English possessives lose their `'s` (`leica's` → `leica`); French and Italian elisions lose the
/// elided article or pronoun (`l'appareil` → `appareil`, `dell'anno` → `anno`). Any apostrophe
/// left after that is removed (`o'neill` → `oneill`), so both spellings meet in one term.
public struct ApostropheFilter: TokenMapper {
    public let language: String?

    public init(language: String?) { self.language = language }

    static let elisions: [String: Set<String>] = [
        "fr": ["l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"],
        "it": ["l", "d", "un", "dell", "dall", "nell", "sull", "all", "quest", "quell", "c", "v", "m", "t", "s"],
        "ca": ["l", "d", "s", "m", "n", "t"],
    ]

    public func map(_ token: Token) -> Token? {
        // A byte scan: `contains("'")` resolves to Foundation's substring search, which was
        // a tenth of the analysis time.
        guard token.text.utf8.contains(UInt8(ascii: "'")) else { return token }
        var text = token.text
        if language == "en", text.hasSuffix("'s") {
            text.removeLast(2)
        }
        if let elided = language.flatMap({ Self.elisions[$0] }), let apostrophe = text.firstIndex(of: "'"),
            elided.contains(String(text[..<apostrophe]))
        {
            text = String(text[text.index(after: apostrophe)...])
        }
        text.removeAll { $0 == "'" }
        guard text.unicodeScalars.count >= 2 else { return nil }
        var result = token
        result.text = text
        return result
    }
}
