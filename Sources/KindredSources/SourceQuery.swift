/// A source's SQL with the places of its `:since` placeholder found, so that each driver can bind
/// the watermark in its own syntax (`$1` for libpq, `:since` itself for SQLite, an escaped literal
/// for MariaDB's text protocol).
///
/// The scan skips string literals, quoted identifiers, comments and PostgreSQL's `::` casts, so
/// `':since'` in a string or `x::since` is left alone.
struct SourceQuery: Sendable {
    let text: String
    /// Ranges of `:since` in `text`.
    let placeholders: [Range<String.Index>]

    init(_ text: String) {
        self.text = text
        placeholders = Self.findPlaceholders(in: text)
    }

    /// `text` with every `:since` replaced by `replacement`.
    func replacingPlaceholders(with replacement: String) -> String {
        var result = ""
        var start = text.startIndex
        for range in placeholders {
            result += text[start..<range.lowerBound]
            result += replacement
            start = range.upperBound
        }
        return result + text[start...]
    }

    private static func findPlaceholders(in text: String) -> [Range<String.Index>] {
        let characters = Array(text.indices)
        var found: [Range<String.Index>] = []
        var i = 0
        func at(_ k: Int) -> Character? { k < characters.count ? text[characters[k]] : nil }
        while i < characters.count {
            let c = text[characters[i]]
            switch c {
            case "'", "\"", "`":
                i += 1
                while i < characters.count {
                    if text[characters[i]] == c {
                        if at(i + 1) == c { i += 2; continue }  // a doubled quote inside the literal
                        break
                    }
                    if c == "'" && text[characters[i]] == "\\" { i += 1 }  // MySQL's backslash escapes
                    i += 1
                }
                i += 1
            case "-" where at(i + 1) == "-":
                while i < characters.count && text[characters[i]] != "\n" { i += 1 }
            case "/" where at(i + 1) == "*":
                i += 2
                while i < characters.count && !(text[characters[i]] == "*" && at(i + 1) == "/") { i += 1 }
                i += 2
            case ":" where at(i + 1) == ":":
                i += 2  // a cast; what follows is a type name
                while let next = at(i), next.isLetter || next.isNumber || next == "_" { i += 1 }
            case ":":
                let name = "since"
                let end = i + 1 + name.count
                if end <= characters.count,
                    String(text[characters[i + 1]..<(end < characters.count ? characters[end] : text.endIndex)])
                        .lowercased() == name,
                    !(at(end).map { $0.isLetter || $0.isNumber || $0 == "_" } ?? false)
                {
                    found.append(characters[i]..<(end < characters.count ? characters[end] : text.endIndex))
                    i = end
                } else {
                    i += 1
                }
            default:
                i += 1
            }
        }
        return found
    }
}
