import Foundation
import Hummingbird
import KindredEngine
import KindredText

/// Validation of query parameters and JSON bodies, with errors a client can act on.
public enum RequestParsing {
    /// A `RelatedQuery` from the query string (`?k=&exclude=a,b&section=&language=&…`; every
    /// name of `RelatedQuery.parameterHelp`).
    ///
    /// - Throws: `Problem` 400 for an unknown or repeated parameter; `EngineError` (400) for a bad value.
    static func relatedQuery(_ request: Request, configuration: ServerConfiguration) throws -> RelatedQuery {
        try relatedQuery(parameters(request, accepted: RelatedQuery.parameterNames), configuration: configuration)
    }

    /// The query parameters by name.
    ///
    /// - Throws: `Problem` 400 for a name not in `accepted` or one given twice.
    static func parameters(_ request: Request, accepted: Set<String>) throws -> [String: String] {
        var values: [String: String] = [:]
        for (key, value) in request.uri.queryParameters {
            let key = String(key)
            guard accepted.contains(key) else {
                throw Problem.badRequest("unknown query parameter '\(key)'; accepted: \(accepted.sorted().joined(separator: ", "))")
            }
            guard values[key] == nil else { throw Problem.badRequest("query parameter '\(key)' is given twice") }
            values[key] = String(value)
        }
        return values
    }

    /// Parses the text form and checks `k` against the server's limit.
    public static func relatedQuery(_ values: [String: String], configuration: ServerConfiguration) throws -> RelatedQuery {
        if let text = values["k"], let k = Int(text), !(1...configuration.maximumK).contains(k) {
            throw Problem.badRequest("k must be between 1 and \(configuration.maximumK); got \(k)")
        }
        return try RelatedQuery(parameters: values, defaultK: configuration.defaultK)
    }

    /// What a JSON field must hold.
    enum FieldType {
        case string, integer, number, numberOrString, boolean
    }

    /// The text form of a JSON value, after checking its type: a number is not a string here.
    ///
    /// - Throws: `Problem` 400 naming the field and the type it takes.
    static func scalar(_ value: Any, name: String, type: FieldType) throws -> String {
        // JSON's true and false arrive as NSNumbers of C type `char`; its numbers never do.
        let number = value as? NSNumber
        let isBoolean = number.map { String(cString: $0.objCType) == "c" } ?? false
        switch type {
        case .string, .numberOrString:
            if let text = value as? String { return text }
            if type == .numberOrString, let number, !isBoolean { return number.stringValue }
            throw Problem.badRequest("'\(name)' must be a string" + (type == .numberOrString ? " or a number" : ""))
        case .integer:
            guard let number, !isBoolean, let integer = Int(exactly: number.doubleValue) else {
                throw Problem.badRequest("'\(name)' must be an integer")
            }
            return String(integer)
        case .number:
            guard let number, !isBoolean else { throw Problem.badRequest("'\(name)' must be a number") }
            return number.stringValue
        case .boolean:
            guard let number, isBoolean else { throw Problem.badRequest("'\(name)' must be true or false") }
            return number.boolValue ? "true" : "false"
        }
    }

    /// An array of strings.
    static func strings(_ value: Any, name: String) throws -> [String] {
        if let list = value as? [String] { return list }
        throw Problem.badRequest("'\(name)' must be an array of strings")
    }

    /// The body as a JSON object, after checking content type and size.
    ///
    /// - Throws: `Problem` 415 for another content type, 413 over the limit, 400 for bad JSON.
    static func jsonObject(_ request: Request, configuration: ServerConfiguration) async throws -> [String: Any] {
        let contentType = request.headers[.contentType] ?? ""
        guard contentType.lowercased().hasPrefix("application/json") else {
            throw Problem(
                .unsupportedMediaType,
                contentType.isEmpty ? "send the body as JSON with 'Content-Type: application/json'"
                    : "the body must be JSON ('Content-Type: application/json'); got '\(contentType)'")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: configuration.maximumBodyBytes)
        } catch {
            throw Problem(
                .contentTooLarge, "the body is over the limit of \(configuration.maximumBodyBytes) bytes")
        }
        let data = Data(buffer.readableBytesView)
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            let reason = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            throw Problem.badRequest("malformed JSON: \(reason)")
        }
        guard let fields = object as? [String: Any] else { throw Problem.badRequest("the body must be a JSON object") }
        return fields
    }
}
