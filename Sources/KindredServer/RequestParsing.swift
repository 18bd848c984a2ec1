import Foundation
import Hummingbird
import KindredEngine
import KindredText

/// Validation of query parameters and JSON bodies, with errors a client can act on.
enum RequestParsing {
    /// The query parameters the related routes accept.
    static let relatedParameters: Set<String> = ["k", "exclude", "section", "language", "since", "until", "min_score"]

    /// A `RelatedQuery` from `?k=&exclude=a,b&section=&language=&since=&until=&min_score=`.
    ///
    /// - Throws: `Problem` 400 for an unknown parameter or a bad value.
    static func relatedQuery(_ request: Request, configuration: ServerConfiguration) throws -> RelatedQuery {
        var values: [String: String] = [:]
        for (key, value) in request.uri.queryParameters {
            let key = String(key)
            guard relatedParameters.contains(key) else {
                throw Problem.badRequest(
                    "unknown query parameter '\(key)'; accepted: \(relatedParameters.sorted().joined(separator: ", "))")
            }
            guard values[key] == nil else { throw Problem.badRequest("query parameter '\(key)' is given twice") }
            values[key] = String(value)
        }
        return try relatedQuery(
            k: values["k"].map { try integer($0, name: "k") },
            exclude: values["exclude"].map { $0.split(separator: ",").map(String.init) } ?? [],
            section: values["section"], language: values["language"],
            since: values["since"], until: values["until"],
            minimumScore: values["min_score"].map { try number($0, name: "min_score") },
            configuration: configuration)
    }

    /// Builds and checks a query from already-typed values (shared by GET and POST).
    static func relatedQuery(
        k: Int?, exclude: [String], section: String?, language: String?, since: String?, until: String?,
        minimumScore: Double?, configuration: ServerConfiguration
    ) throws -> RelatedQuery {
        let k = k ?? configuration.defaultK
        guard (1...configuration.maximumK).contains(k) else {
            throw Problem.badRequest("k must be between 1 and \(configuration.maximumK); got \(k)")
        }
        let sinceDate = try since.map { try date($0, name: "since") }
        let untilDate = try until.map { try date($0, name: "until") }
        if let sinceDate, let untilDate, sinceDate > untilDate {
            throw Problem.badRequest("since (\(since!)) is after until (\(until!))")
        }
        if let language, Language.primarySubtag(of: language) == nil {
            throw Problem.badRequest("language '\(language)' is not a BCP 47 tag (e.g. en, de-CH)")
        }
        if let minimumScore, !(-1...1).contains(minimumScore) {
            throw Problem.badRequest("min_score is a cosine between -1 and 1; got \(minimumScore)")
        }
        return RelatedQuery(
            k: k, excludedIDs: Set(exclude.filter { !$0.isEmpty }), section: section, language: language,
            since: sinceDate, until: untilDate, minimumScore: minimumScore.map(Float.init))
    }

    static func integer(_ text: String, name: String) throws -> Int {
        guard let value = Int(text) else { throw Problem.badRequest("\(name) must be an integer; got '\(text)'") }
        return value
    }

    static func number(_ text: String, name: String) throws -> Double {
        guard let value = Double(text), value.isFinite else {
            throw Problem.badRequest("\(name) must be a number; got '\(text)'")
        }
        return value
    }

    static func date(_ text: String, name: String) throws -> Date {
        guard let date = RFC3339.parse(text) else {
            throw Problem.badRequest("\(name) must be an RFC 3339 timestamp such as 2026-03-01T00:00:00Z; got '\(text)'")
        }
        return date
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
