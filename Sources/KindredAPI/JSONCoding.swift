import Foundation

/// The API's JSON: snake_case keys, sorted, slashes unescaped. One encoder for every answer of the
/// server and every `--json` of the CLI.
public enum JSONCoding {
    /// Compact, as the server sends it.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Compact, for the answers whose types spell their keys in snake_case themselves
    /// (`RelatedResponse` and what it holds): the same JSON as `encoder()` without converting
    /// every key of every answer, which was a sixth of a by-id request's CPU. A test compares the
    /// two on every field.
    public static func literalKeysEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Indented, as the CLI prints it.
    public static func prettyEncoder() -> JSONEncoder {
        let encoder = encoder()
        encoder.outputFormatting.insert(.prettyPrinted)
        return encoder
    }

    /// `value` as indented JSON text.
    public static func pretty(_ value: some Encodable) throws -> String {
        String(decoding: try prettyEncoder().encode(value), as: UTF8.self)
    }
}
