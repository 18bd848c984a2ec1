import Foundation

/// Lower-cases every token (Unicode-aware; `İ`, `Σ` and friends included).
public struct LowercaseFilter: TokenFilter {
    public init() {}
    public func filter(_ tokens: [Token]) -> [Token] {
        tokens.map { token in
            var token = token
            token.text = token.text.lowercased()
            return token
        }
    }
}

/// Resolves apostrophes the tokenizer kept inside words.
///
/// English possessives lose their `'s` (`leica's` → `leica`); French and Italian elisions lose the
/// elided article or pronoun (`l'appareil` → `appareil`, `dell'anno` → `anno`). Any apostrophe
/// left after that is removed (`o'neill` → `oneill`), so both spellings meet in one term.
public struct ApostropheFilter: TokenFilter {
    public let language: String?

    public init(language: String?) { self.language = language }

    static let elisions: [String: Set<String>] = [
        "fr": ["l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"],
        "it": ["l", "d", "un", "dell", "dall", "nell", "sull", "all", "quest", "quell", "c", "v", "m", "t", "s"],
        "ca": ["l", "d", "s", "m", "n", "t"],
    ]

    public func filter(_ tokens: [Token]) -> [Token] {
        tokens.compactMap { token in
            guard token.text.contains("'") else { return token }
            var text = token.text
            if language == "en", text.hasSuffix("'s") {
                text.removeLast(2)
            }
            if let elided = language.flatMap({ Self.elisions[$0] }), let apostrophe = text.firstIndex(of: "'"),
               elided.contains(String(text[..<apostrophe])) {
                text = String(text[text.index(after: apostrophe)...])
            }
            text.removeAll { $0 == "'" }
            guard text.unicodeScalars.count >= 2 else { return nil }
            var result = token
            result.text = text
            return result
        }
    }
}

/// Drops stop words, leaving a gap in positions.
public struct StopFilter: TokenFilter {
    public let stopWords: Set<String>

    public init(stopWords: Set<String>) { self.stopWords = stopWords }

    public func filter(_ tokens: [Token]) -> [Token] {
        stopWords.isEmpty ? tokens : tokens.filter { $0.kind != .word || !stopWords.contains($0.text) }
    }
}

/// Replaces words by their Snowball stem; numbers and CJK pass through.
///
/// Stems are memoised per filter: news text repeats its words, and libstemmer is the costliest
/// step of the chain.
public final class StemFilter: TokenFilter {
    let stemmer: SnowballStemmer
    private var cache: [String: String] = [:]

    public init(stemmer: SnowballStemmer) { self.stemmer = stemmer }

    public func filter(_ tokens: [Token]) -> [Token] {
        tokens.map { token in
            guard token.kind == .word else { return token }
            var token = token
            if let cached = cache[token.text] {
                token.text = cached
            } else {
                let stem = stemmer.stem(token.text)
                if cache.count > 200_000 { cache.removeAll(keepingCapacity: true) }
                cache[token.text] = stem
                token.text = stem
            }
            return token
        }
    }
}

/// Folds diacritics and a few ligatures to their base letters (`é` → `e`, `ß` → `ss`, `ø` → `o`).
///
/// It runs after stemming because Snowball's stemmers for German, French and the rest expect the
/// accented spelling; folding afterwards still lets `Müller` and `Muller` meet.
public struct DiacriticFoldingFilter: TokenFilter {
    public init() {}

    static let replacements: [Unicode.Scalar: String] = [
        "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i",
    ]

    public func filter(_ tokens: [Token]) -> [Token] {
        tokens.map { token in
            guard token.kind != .cjk, !token.text.utf8.allSatisfy({ $0 < 0x80 }) else { return token }
            var token = token
            token.text = Self.fold(token.text)
            return token
        }
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

/// Splits CJK runs into overlapping character bigrams (`东京大学` → `东京`, `京大`, `大学`), the usual
/// dictionary-free indexing of Chinese and Japanese; a single character stays a unigram.
public struct CJKBigramFilter: TokenFilter {
    public init() {}

    public func filter(_ tokens: [Token]) -> [Token] {
        var result: [Token] = []
        result.reserveCapacity(tokens.count)
        for token in tokens {
            guard token.kind == .cjk else {
                result.append(token)
                continue
            }
            let characters = Array(token.text.unicodeScalars)
            if characters.count == 1 {
                result.append(token)
                continue
            }
            for i in 0..<(characters.count - 1) {
                var pair = String.UnicodeScalarView()
                pair.append(characters[i])
                pair.append(characters[i + 1])
                result.append(Token(String(pair), position: token.position, kind: .cjk))
            }
        }
        return result
    }
}

/// Adds a word bigram (`red dot`, `17 ultra`) for every two words or numbers that stood next to
/// each other, after stop words and stemming, so that phrases can weigh more than their words.
public struct ShingleFilter: TokenFilter {
    public init() {}

    public func filter(_ tokens: [Token]) -> [Token] {
        var result = tokens
        for i in tokens.indices.dropFirst() {
            let previous = tokens[i - 1], current = tokens[i]
            guard previous.kind == .word || previous.kind == .number,
                  current.kind == .word || current.kind == .number,
                  current.position == previous.position + 1 else { continue }
            result.append(Token(previous.text + " " + current.text, position: previous.position, kind: .phrase))
        }
        return result
    }
}
