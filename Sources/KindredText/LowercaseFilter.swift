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
