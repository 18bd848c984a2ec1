import Foundation
import Hummingbird
import KindredAPI
import KindredEngine
import KindredLinearAlgebra
import KindredText

/// Every route of the API. The router is built by a switch over these cases, exhaustive, so a
/// route can't lack a handler; a test checks them against `/openapi.json`, so the two can't
/// drift apart.
public enum KindredRoute: CaseIterable, Sendable {
    case console, consoleFile, status, findArticles, relatedByID, relatedToDraft, article, upsert, delete, overrides,
        setOverrides, deleteOverrides, reload, health, ready, metrics, openAPI

    public var method: HTTPRequest.Method {
        switch self {
        case .console, .consoleFile, .status, .findArticles, .relatedByID, .article, .overrides, .health, .ready,
            .metrics, .openAPI:
            .get
        case .relatedToDraft, .reload: .post
        case .upsert, .setOverrides: .put
        case .delete, .deleteOverrides: .delete
        }
    }

    /// The path in the OpenAPI document's syntax.
    public var path: String {
        switch self {
        case .console: "/"
        case .consoleFile: "/console/{file}"
        case .status: "/v1/status"
        case .findArticles: "/v1/articles"
        case .relatedByID: "/v1/articles/{id}/related"
        case .relatedToDraft: "/v1/related"
        case .article: "/v1/articles/{id}"
        case .upsert: "/v1/articles/{id}"
        case .delete: "/v1/articles/{id}"
        case .overrides: "/v1/articles/{id}/overrides"
        case .setOverrides: "/v1/articles/{id}/overrides"
        case .deleteOverrides: "/v1/articles/{id}/overrides"
        case .reload: "/admin/reload"
        case .health: "/healthz"
        case .ready: "/readyz"
        case .metrics: "/metrics"
        case .openAPI: "/openapi.json"
        }
    }

    /// Hummingbird's syntax for the path (`{id}` → `:id`).
    var routerPath: String {
        path.replacingOccurrences(of: "{", with: ":").replacingOccurrences(of: "}", with: "")
    }
}

/// The handlers, bound to a store and a configuration.
struct Handlers: Sendable {
    let store: ModelStore
    let configuration: ServerConfiguration
    var sync: SourceSync? = nil
    var admin: AdminAuthorization { AdminAuthorization(token: configuration.adminToken) }

    /// The `{id}` path parameter, percent-decoded (`g%2B%2B` → `g++`, `a%2Fb` → `a/b`).
    func articleID(_ context: BasicRequestContext) throws -> String {
        let raw = try context.parameters.require("id")
        guard let id = raw.removingPercentEncoding, !id.isEmpty else {
            throw Problem.badRequest("the article id '\(raw)' in the path is not valid percent-encoding")
        }
        return ArticleID.normalized(id)
    }

    static let encoder = JSONCoding.encoder()
    static let literalKeysEncoder = JSONCoding.literalKeysEncoder()

    func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        try response(encoded: Self.encoder.encode(value), status: status)
    }

    /// A related list, the hot path: written directly (`RelatedResponse.jsonBytes`), the encoder
    /// reporting what JSON can't hold.
    func response(_ value: RelatedResponse) throws -> Response {
        guard let bytes = value.jsonBytes() else {
            return try response(encoded: Self.literalKeysEncoder.encode(value), status: .ok)
        }
        return response(encoded: bytes, status: .ok)
    }

    private func response(encoded data: some Collection<UInt8>, status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    func relatedByID(_ request: Request, _ context: BasicRequestContext) throws -> Response {
        let id = try articleID(context)
        let query = try RequestParsing.relatedQuery(request, configuration: configuration)
        let index = store.current
        let list = try index.related(to: id, query: query)
        // By-id requests the precomputed lists can't answer search the whole index: what
        // `/metrics` counts, beside the requests themselves, to size the lists (`--neighbors`).
        if list.searched { ServerMetrics.byIDSearches.increment() }
        return try response(RelatedResponse(id: id, model: ModelInfo(index), list: list))
    }

    func relatedToDraft(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let (draft, query) = try await RequestParsing.draft(request, configuration: configuration)
        var index = store.current
        index.encoder = store.encoder
        let list = try index.related(like: draft.like, unlike: draft.unlike, links: draft.links, query: query)
        return try response(RelatedResponse(id: nil, model: ModelInfo(index), list: list))
    }

    /// `GET /v1/articles?prefix=&limit=`: articles to pick from by id or title.
    func findArticles(_ request: Request, _ context: BasicRequestContext) throws -> Response {
        let values = try RequestParsing.parameters(request, accepted: ["prefix", "limit"])
        var limit = 20
        if let text = values["limit"] {
            guard let number = Int(text), (1...100).contains(number) else {
                throw Problem.badRequest("limit must be an integer between 1 and 100; got '\(text)'")
            }
            limit = number
        }
        guard let prefix = values["prefix"], !prefix.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw Problem.badRequest("give the start of an id or title: ?prefix=leica")
        }
        let found = store.current.articles(matching: prefix, limit: limit)
        return try response(ArticleList(articles: found.map(ArticleResponse.init)))
    }

    func status(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let index = store.current
        return try response(
            ServiceStatus(
                model: ModelInfo(index), articles: index.articleCount, dimensions: index.model.dimensions,
                terms: index.model.weighting.vocabulary.count, blas: BLASBackend.current.summary,
                journalEntries: await store.journalLength(), journalSkipped: store.skippedJournalEntries,
                overrides: index.overrides.entries.count,
                sync: sync?.currentStatus, replica: store.replicaStatus, semantic: index.model.semanticSummary))
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
        let received: ReceivedArticle
        switch ReceivedArticle.read(fields) {
        case .success(let value): received = value
        case .failure(let reason): throw Problem.badRequest(reason.text)
        }
        let created = try await store.upsert(received)
        return try response(
            UpsertResponse(id: id, created: created, model: ModelInfo(store.current)), status: created ? .created : .ok)
    }

    func delete(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        try admin.check(request)
        let id = try articleID(context)
        guard try await store.delete(id) else { throw Problem(.notFound, "no article with id '\(id)'") }
        return Response(status: .noContent)
    }

    func overrides(_ request: Request, _ context: BasicRequestContext) throws -> Response {
        let id = try articleID(context)
        let index = store.current
        guard index.metadata(of: id) != nil || index.overrides.entry(for: id) != nil else {
            throw Problem(.notFound, "no article with id '\(id)'")
        }
        return try response(OverridesResponse(id: id, entry: index.overrides.entry(for: id) ?? .init()))
    }

    func setOverrides(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        try admin.check(request)
        let id = try articleID(context)
        let entry = try await RequestParsing.overrides(request, configuration: configuration)
        do {
            try store.current.check(entry, for: id)
        } catch LiveIndex.OverridesRefusal.unknownArticle {
            throw Problem(.notFound, "no article with id '\(id)'")
        } catch LiveIndex.OverridesRefusal.unknownPin(let unknown) {
            throw Problem.badRequest("can't pin '\(unknown)': no such article")
        }
        let stored = try await store.setOverrides(entry, for: id)
        return try response(OverridesResponse(id: id, entry: stored))
    }

    func deleteOverrides(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        try admin.check(request)
        let id = try articleID(context)
        guard store.current.overrides.entry(for: id) != nil else {
            throw Problem(.notFound, "article '\(id)' has no overrides")
        }
        _ = try await store.setOverrides(nil, for: id)
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
        ServerMetrics.update(
            index: store.current, journalLength: await store.journalLength(), skipped: store.skippedJournalEntries)
        if let sync { SyncMetrics.update(sync.currentStatus) }
        if let replica = store.replicaStatus { ServerMetrics.update(replica: replica) }
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: ServerMetrics.render())))
    }

    /// The console's files, read once: name → (content type, bytes).
    static let consoleFiles: [String: (type: String, body: ByteBuffer)] = {
        var files: [String: (String, ByteBuffer)] = [:]
        let types = [
            "html": "text/html; charset=utf-8", "css": "text/css; charset=utf-8",
            "js": "text/javascript; charset=utf-8",
        ]
        guard let directory = Bundle.module.url(forResource: "console", withExtension: nil) else { return [:] }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] {
            guard let type = types[(name as NSString).pathExtension],
                let data = try? Data(contentsOf: directory.appendingPathComponent(name))
            else { continue }
            files[name] = (type, ByteBuffer(bytes: data))
        }
        return files
    }()

    /// `GET /` and `GET /console/{file}`: the editor's console.
    func console(_ request: Request, _ context: BasicRequestContext) throws -> Response {
        let name = context.parameters.get("file") ?? "index.html"
        guard let file = Self.consoleFiles[name] else {
            throw Problem(.notFound, "no console file '\(name)'")
        }
        // The console loads its own files only, and no other site may frame it (clickjacking its
        // write buttons) or run script in it.
        return Response(
            status: .ok,
            headers: [
                .contentType: file.type, .cacheControl: "no-cache",
                .contentSecurityPolicy:
                    "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
                HTTPFields.Element.Name("X-Frame-Options")!: "DENY", .xContentTypeOptions: "nosniff",
                HTTPFields.Element.Name("Referrer-Policy")!: "no-referrer",
            ],
            body: ResponseBody(byteBuffer: file.body))
    }

    static let openAPIDocument: ByteBuffer = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
            let data = try? Data(contentsOf: url)
        else { return ByteBuffer(string: "{}") }
        return ByteBuffer(bytes: data)
    }()

    func openAPI(_ request: Request, _ context: BasicRequestContext) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: Self.openAPIDocument))
    }
}
