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
