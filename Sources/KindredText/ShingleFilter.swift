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
                current.position == previous.position + 1
            else { continue }
            result.append(Token(previous.text + " " + current.text, position: previous.position, kind: .phrase))
        }
        return result
    }
}
