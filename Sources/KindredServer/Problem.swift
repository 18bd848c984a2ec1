import Foundation
import Hummingbird
import KindredAPI
import KindredEngine
import Logging

/// An RFC 9457 problem: every error the API returns, as `application/problem+json`.
///
/// `detail` is written for the person reading it: what was wrong, the value seen, and what to do.
public struct Problem: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    /// A short, stable summary of the kind of problem (the status's reason phrase by default).
    public var title: String
    public var detail: String

    public init(_ status: HTTPResponse.Status, _ detail: String, title: String? = nil) {
        self.status = status
        self.detail = detail
        self.title = title ?? status.reasonPhrase
    }

    public static func badRequest(_ detail: String) -> Problem { Problem(.badRequest, detail) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body: [String: Any] = [
            "type": "about:blank", "title": title, "status": Int(status.code), "detail": detail,
            "instance": request.uri.path,
        ]
        let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"kindred admin\"" }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Turns every error into a `Problem` response: Hummingbird's own (404 for an unknown route,
/// 413 for a body over the limit), the engine's (unknown article → 404), and anything else → 500
/// with the details logged, not leaked.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            return try problem.response(from: request, context: context)
        } catch let error as HTTPError {
            let detail: String
            switch error.status {
            case .notFound: detail = "no route for \(request.method) \(request.uri.path); see /openapi.json"
            case .contentTooLarge: detail = "the request body is over the server's limit"
            case .methodNotAllowed:
                detail = "\(request.method) is not allowed on \(request.uri.path); see /openapi.json"
            default: detail = error.body ?? error.status.reasonPhrase
            }
            return try Problem(error.status, detail).response(from: request, context: context)
        } catch let error as ModelStore.JournalFull {
            var response = try Problem(.serviceUnavailable, error.description, title: "Journal full")
                .response(from: request, context: context)
            response.headers[.retryAfter] = "3600"
            return response
        } catch let error as ModelStore.JournalUnavailable {
            var response = try Problem(.serviceUnavailable, error.description, title: "Journal unavailable")
                .response(from: request, context: context)
            response.headers[.retryAfter] = "\(ModelStore.JournalUnavailable.retryAfterSeconds)"
            return response
        } catch let error as EngineError {
            let status: HTTPResponse.Status = error.code == .unknownArticle ? .notFound : .badRequest
            return try Problem(status, ParameterSpelling.queryParameter.message(error)).response(
                from: request, context: context)
        } catch let error as any HTTPResponseError {
            return try Problem(error.status, "\(error)").response(from: request, context: context)
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)"])
            return try Problem(.internalServerError, "the server failed to answer; the error is in its log")
                .response(from: request, context: context)
        }
    }
}
