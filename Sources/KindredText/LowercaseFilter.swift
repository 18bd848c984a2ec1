/// Lower-cases every token (Unicode-aware; `İ`, `Σ` and friends included).
public struct LowercaseFilter: TokenMapper {
    public init() {}
    public func map(_ token: Token) -> Token? {
        // Most tokens are lower-case ASCII already: leave them without building a new string.
        guard token.text.utf8.contains(where: { $0 >= 0x80 || (0x41...0x5A).contains($0) }) else { return token }
        var token = token
        token.text = token.text.lowercased()
        return token
    }
}
