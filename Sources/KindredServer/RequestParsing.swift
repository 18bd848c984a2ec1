import Foundation
import Hummingbird
import KindredAPI
import KindredEngine

/// Reading requests: query strings and JSON bodies, with errors a client can act on.
enum RequestParsing {
    /// The ranking query of a `GET` (`?k=&exclude=a,b&section=&language=&…`, every
    /// `RankingParameter`).
    ///
    /// - Throws: `Problem` 400 for an unknown, repeated or unreadable parameter, or a value out of range.
    static func relatedQuery(_ request: Request, configuration: ServerConfiguration) throws -> RelatedQuery {
        let values = try parameters(request, accepted: RankingParameter.queryNames)
        do {
            return try RankingParameters(text: values)
                .query(defaultK: configuration.defaultK, maximumK: configuration.maximumK)
        } catch let error as RankingParameters.UnreadableValue {
            throw Problem.badRequest(error.message(.queryParameter))
        } catch let error as EngineError {
            throw Problem.badRequest(ParameterSpelling.queryParameter.message(error))
        }
    }

    /// A `POST /v1/related` body with its ranking query.
    ///
    /// - Throws: `Problem` 400/413/415 for the body, 400 for a control's value.
    static func draft(
        _ request: Request, configuration: ServerConfiguration
    ) async throws -> (draft: DraftRequest, query: RelatedQuery) {
        let data = try await body(request, configuration: configuration)
        do {
            let draft = try DraftRequest.decode(data)
            return (draft, try draft.ranking.query(defaultK: configuration.defaultK, maximumK: configuration.maximumK))
        } catch let error as RequestBodyError {
            throw Problem.badRequest(error.message)
        } catch let error as RankingParameters.UnreadableValue {
            throw Problem.badRequest(error.message(.draftField))
        } catch let error as EngineError where error.code == .invalidParameter {
            throw Problem.badRequest(ParameterSpelling.draftField.message(error))
        }
    }

    /// A `PUT /v1/articles/{id}/overrides` body.
    static func overrides(_ request: Request, configuration: ServerConfiguration) async throws
        -> EditorialOverrides.Entry
    {
        let data = try await body(request, configuration: configuration)
        do {
            return try JSONDecoder().decode(OverridesRequest.self, from: data).entry
        } catch let error as RequestBodyError {
            throw Problem.badRequest(error.message)
        } catch {
            throw Problem.badRequest("the body must be a JSON object {\"pinned\": [ids], \"blocked\": [ids]}")
        }
    }

    /// The query parameters by name.
    ///
    /// - Throws: `Problem` 400 for a name not in `accepted` or one given twice.
    static func parameters(_ request: Request, accepted: Set<String>) throws -> [String: String] {
        var values: [String: String] = [:]
        for (key, value) in request.uri.queryParameters {
            let key = String(key)
            guard accepted.contains(key) else {
                throw Problem.badRequest(
                    "unknown query parameter '\(key)'; accepted: \(accepted.sorted().joined(separator: ", "))")
            }
            guard values[key] == nil else { throw Problem.badRequest("query parameter '\(key)' is given twice") }
            values[key] = String(value)
        }
        return values
    }

    /// The body's bytes, after checking content type and size.
    ///
    /// - Throws: `Problem` 415 for another content type, 413 over the limit.
    static func body(_ request: Request, configuration: ServerConfiguration) async throws -> Data {
        let contentType = request.headers[.contentType] ?? ""
        guard contentType.lowercased().hasPrefix("application/json") else {
            throw Problem(
                .unsupportedMediaType,
                contentType.isEmpty
                    ? "send the body as JSON with 'Content-Type: application/json'"
                    : "the body must be JSON ('Content-Type: application/json'); got '\(contentType)'")
        }
        do {
            let buffer = try await request.body.collect(upTo: configuration.maximumBodyBytes)
            return Data(buffer.readableBytesView)
        } catch {
            throw Problem(.contentTooLarge, "the body is over the limit of \(configuration.maximumBodyBytes) bytes")
        }
    }

    /// The body as a JSON object (an article, read like a corpus line by `CorpusReader`).
    ///
    /// - Throws: `Problem` 415, 413, or 400 for bad JSON.
    static func jsonObject(_ request: Request, configuration: ServerConfiguration) async throws -> [String: Any] {
        let data = try await body(request, configuration: configuration)
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
