/// Parsing of an article's BCP 47 language tag down to what analysis needs.
public enum Language {
    /// The default when an article gives none.
    public static let defaultCode = "en"

    /// The primary subtag, lower-cased (`en-GB` → `en`, `pt_BR` → `pt`), or nil when the tag is
    /// not of BCP 47 shape (2–3 letters, then optional `-` subtags of 1–8 letters or digits).
    public static func primarySubtag(of tag: String) -> String? {
        let parts = tag.split(whereSeparator: { $0 == "-" || $0 == "_" }).map(String.init)
        guard let first = parts.first, (2...3).contains(first.count),
            first.unicodeScalars.allSatisfy({ $0.isASCII && $0.properties.isAlphabetic })
        else { return nil }
        for part in parts.dropFirst() {
            guard (1...8).contains(part.count),
                part.unicodeScalars.allSatisfy({
                    $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))
                })
            else { return nil }
        }
        return first.lowercased()
    }
}
