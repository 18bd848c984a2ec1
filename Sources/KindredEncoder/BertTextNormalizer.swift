import Foundation

/// BERT's uncased text clean-up and word split, as the fast (Rust) tokenizer that
/// sentence-transformers loads does it, so that Kindred's word pieces equal the reference's:
///
/// 1. drop NUL, U+FFFD and control/format/unassigned/private-use characters (except tab, line
///    feed and carriage return), and turn every whitespace character into a space;
/// 2. put spaces around CJK ideographs, so that each is a word of its own;
/// 3. strip accents: canonical decomposition (NFD), then drop non-spacing marks (Mn);
/// 4. lower-case (full Unicode mappings);
/// 5. split at whitespace, and make every punctuation character (Unicode P*, or any ASCII
///    punctuation such as `$`, `+`, `<`) a word of its own.
///
/// Stripping accents before lower-casing is the fast tokenizer's order (the Python one lower-cases
/// first); the two differ only on letters whose lower case carries a mark, such as "İ".
enum BertTextNormalizer {
    /// The words of `text`, in order, as scalars (each is looked up in WordPiece next).
    static func words(_ text: String) -> [[Unicode.Scalar]] {
        var cleaned = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.value == 0 || scalar.value == 0xFFFD || isControl(scalar) { continue }
            if isWhitespace(scalar) {
                cleaned.append(" ")
            } else if isCJK(scalar) {
                cleaned.append(" ")
                cleaned.append(scalar)
                cleaned.append(" ")
            } else {
                cleaned.append(scalar)
            }
        }
        var string = String(cleaned)
        if !string.utf8.allSatisfy({ $0 < 0x80 }) { string = string.decomposedStringWithCanonicalMapping }
        var words: [[Unicode.Scalar]] = []
        var word: [Unicode.Scalar] = []
        func finish() {
            if !word.isEmpty { words.append(word) }
            word.removeAll(keepingCapacity: true)
        }
        for scalar in string.unicodeScalars {
            if scalar.properties.generalCategory == .nonspacingMark { continue }
            for lower in lowercased(scalar) {
                if isWhitespace(lower) {
                    finish()
                } else if isPunctuation(lower) {
                    finish()
                    words.append([lower])
                } else {
                    word.append(lower)
                }
            }
        }
        finish()
        return words
    }

    private static func lowercased(_ scalar: Unicode.Scalar) -> String.UnicodeScalarView {
        if scalar.isASCII {
            let value = scalar.value
            return String.UnicodeScalarView(
                [(value >= 65 && value <= 90) ? Unicode.Scalar(value + 32)! : scalar])
        }
        return scalar.properties.lowercaseMapping.unicodeScalars
    }

    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "\t", "\n", "\r", " ": true
        default: scalar.value > 0x7F && scalar.properties.isWhitespace
        }
    }

    /// Control in BERT's sense: Unicode "Other" (Cc, Cf, Cn, Co, Cs) but tab, line feed and carriage return.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "\t", "\n", "\r": return false
        default:
            switch scalar.properties.generalCategory {
            case .control, .format, .unassigned, .privateUse, .surrogate: return true
            default: return false
            }
        }
    }

    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v) {
            return true
        }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
            .finalPunctuation, .otherPunctuation:
            return true
        default: return false
        }
    }

    /// The CJK Unified Ideographs blocks BERT splits out (not Hangul, Hiragana or Katakana).
    static func isCJK(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
            0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            true
        default: false
        }
    }
}
