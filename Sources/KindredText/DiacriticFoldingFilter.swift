import Foundation

/// Folds diacritics and a few ligatures to their base letters (`é` → `e`, `ß` → `ss`, `ø` → `o`).
///
/// It runs after stemming because Snowball's stemmers for German, French and the rest expect the
/// accented spelling; folding afterwards still lets `Müller` and `Muller` meet.
public struct DiacriticFoldingFilter: TokenMapper {
    public init() {}

    static let replacements: [Unicode.Scalar: String] = [
        "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i",
    ]

    public func map(_ token: Token) -> Token? {
        guard token.kind != .cjk, !token.text.utf8.allSatisfy({ $0 < 0x80 }) else { return token }
        var token = token
        token.text = Self.fold(token.text)
        return token
    }

    static func fold(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            if let replacement = replacements[scalar] {
                result.append(contentsOf: replacement.unicodeScalars)
                continue
            }
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark: continue
            default: result.append(scalar)
            }
        }
        return String(result).precomposedStringWithCanonicalMapping
    }
}
