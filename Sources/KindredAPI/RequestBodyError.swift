/// A request body that can't be used as sent: an unknown field, a wrong type, a missing part.
/// `message` names the field as the body spells it.
public struct RequestBodyError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// A JSON object key of any name, to see every field a client sent.
struct AnyKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }

    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension KeyedDecodingContainer where Key == AnyKey {
    /// Refuses the first field not in `accepted`, naming what is.
    func rejectUnknownKeys(accepted: Set<String>, in place: String = "") throws {
        if let unknown = allKeys.map(\.stringValue).sorted().first(where: { !accepted.contains($0) }) {
            throw RequestBodyError(
                "unknown field '\(unknown)'\(place); accepted: \(accepted.sorted().joined(separator: ", "))")
        }
    }

    /// A field of type `T`, nil when absent or null; the error says what the field takes.
    func field<T: Decodable>(_ type: T.Type, _ name: String, expected: String) throws -> T? {
        let key = AnyKey(name)
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        do {
            return try decode(T.self, forKey: key)
        } catch {
            throw RequestBodyError("'\(name)' must be \(expected)")
        }
    }

    func string(_ name: String) throws -> String? { try field(String.self, name, expected: "a string") }

    func strings(_ name: String) throws -> [String]? { try field([String].self, name, expected: "an array of strings") }
}
