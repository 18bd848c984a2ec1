import Foundation
import Hummingbird
import KindredEngine

/// Every route of the API, in the OpenAPI document's path syntax. The router is built from this
/// list and a test checks it against `/openapi.json`, so the two can't drift apart.
public enum KindredRoutes {
    public static let all: [(method: HTTPRequest.Method, path: String)] = [
        (.get, "/v1/articles/{id}/related"),
        (.post, "/v1/related"),
        (.get, "/v1/articles/{id}"),
        (.put, "/v1/articles/{id}"),
        (.delete, "/v1/articles/{id}"),
        (.post, "/admin/reload"),
        (.get, "/healthz"),
        (.get, "/readyz"),
        (.get, "/metrics"),
        (.get, "/openapi.json"),
    ]

    /// Hummingbird's syntax for a path (`{id}` → `:id`).
    static func routerPath(_ path: String) -> String {
        path.replacingOccurrences(of: "{", with: ":").replacingOccurrences(of: "}", with: "")
    }
}

/// The handlers, bound to a store and a configuration.
struct Handlers: Sendable {
    let store: ModelStore
    let configuration: ServerConfiguration
    var admin: AdminAuthorization { AdminAuthorization(token: configuration.adminToken) }

    /// The `{id}` path parameter, percent-decoded (`g%2B%2B` → `g++`, `a%2Fb` → `a/b`).
    func articleID(_ context: BasicRequestContext) throws -> String {
        let raw = try context.parameters.require("id")
        guard let id = raw.removingPercentEncoding, !id.isEmpty else {
            throw Problem.badRequest("the article id '\(raw)' in the path is not valid percent-encoding")
        }
        return id
    }

    func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try JSON.encoder.encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    func relatedByID(_ request: Request, _ context: BasicRequestContext) throws -> Response {
        let id = try articleID(context)
        let query = try RequestParsing.relatedQuery(request, configuration: configuration)
        let index = store.current
        let results = try index.related(to: id, query: query)
        return try response(RelatedResponse(id: id, model: ModelInfo(index), results: results))
    }

    /// Fields a draft query may carry.
    static let draftFields: Set<String> = [
        "title", "body", "k", "exclude", "section", "language", "since", "until", "min_score",
    ]

    func relatedToDraft(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let fields = try await RequestParsing.jsonObject(request, configuration: configuration)
        if let unknown = fields.keys.first(where: { !Self.draftFields.contains($0) }) {
            throw Problem.badRequest("unknown field '\(unknown)'; accepted: \(Self.draftFields.sorted().joined(separator: ", "))")
        }
        func string(_ key: String) throws -> String? {
            guard let value = fields[key], !(value is NSNull) else { return nil }
            guard let text = value as? String else { throw Problem.badRequest("'\(key)' must be a string") }
            return text
        }
        let title = try string("title") ?? "", body = try string("body") ?? ""
        guard !(title + body).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw Problem.badRequest("give a non-empty 'title' or 'body'")
        }
        var k: Int?
        if let value = fields["k"], !(value is NSNull) {
            guard let number = value as? NSNumber, let integer = Int(exactly: number.doubleValue) else {
                throw Problem.badRequest("'k' must be an integer")
            }
            k = integer
        }
        var exclude: [String] = []
        if let value = fields["exclude"], !(value is NSNull) {
            guard let list = value as? [String] else { throw Problem.badRequest("'exclude' must be an array of ids") }
            exclude = list
        }
        var minimumScore: Double?
        if let value = fields["min_score"], !(value is NSNull) {
            guard let number = value as? NSNumber, !(value is Bool) else { throw Problem.badRequest("'min_score' must be a number") }
            minimumScore = number.doubleValue
        }
        let language = try string("language")
        let query = try RequestParsing.relatedQuery(
            k: k, exclude: exclude, section: try string("section"), language: language, since: try string("since"),
            until: try string("until"), minimumScore: minimumScore, configuration: configuration)
        let index = store.current
        let results = try index.similar(title: title, body: body, language: language, query: query)
        return try response(RelatedResponse(id: nil, model: ModelInfo(index), results: results))
    }

    func article(_ request: Request, _ context: BasicRequestContext) throws -> Response {
        let id = try articleID(context)
        guard let metadata = store.current.metadata(of: id) else {
            throw Problem(.notFound, "no article with id '\(id)'")
        }
        return try response(ArticleResponse(metadata))
    }

    func upsert(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        try admin.check(request)
        let id = try articleID(context)
        var fields = try await RequestParsing.jsonObject(request, configuration: configuration)
        if let bodyID = fields["id"], !(bodyID is NSNull) {
            guard bodyID as? String == id else {
                throw Problem.badRequest("the body's id '\(bodyID)' differs from the id in the path '\(id)'")
            }
        }
        fields["id"] = id
        let article: Article
        switch CorpusReader.article(from: fields) {
        case .success(let value): article = value
        case .failure(let reason): throw Problem.badRequest(reason.text)
        }
        let created = try await store.upsert(article)
        return try response(
            UpsertResponse(id: id, created: created, model: ModelInfo(store.current)), status: created ? .created : .ok)
    }

    func delete(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        try admin.check(request)
        let id = try articleID(context)
        guard try await store.delete(id) else { throw Problem(.notFound, "no article with id '\(id)'") }
        return Response(status: .noContent)
    }

    func reload(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        try admin.check(request)
        do {
            let outcome = try await store.reload()
            return try response(
                ReloadResponse(
                    previousVersion: outcome.previousVersion, version: outcome.version, changed: outcome.changed,
                    journalReplayed: outcome.replayed))
        } catch let error as ModelStore.ReloadError {
            throw Problem(.internalServerError, "reload refused: \(error.description)", title: "Model refused")
        }
    }

    func metrics(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        ServerMetrics.update(index: store.current, journalLength: await store.journalLength())
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: ServerMetrics.render())))
    }

    static let openAPIDocument: ByteBuffer = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
              let data = try? Data(contentsOf: url) else { return ByteBuffer(string: "{}") }
        return ByteBuffer(bytes: data)
    }()

    func openAPI(_ request: Request, _ context: BasicRequestContext) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: Self.openAPIDocument))
    }
}
