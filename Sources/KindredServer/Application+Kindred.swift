import Hummingbird
import KindredAPI
import KindredEngine
import Logging
import ServiceLifecycle
import UnixSignals

/// Builds the router: middleware (the access log when on, metrics, problem responses), then every route of
/// `KindredRoute`.
public func buildRouter(store: ModelStore, configuration: ServerConfiguration, sync: SourceSync? = nil)
    -> Router<BasicRequestContext>
{
    _ = ServerMetrics.registry
    // Drafts and writes are embedded with the store's encoder, which a reload may replace.
    store.encoder = configuration.encoder
    store.encoderDirectory = configuration.encoderDirectory
    let router = Router()
    if configuration.accessLog { router.add(middleware: AccessLogMiddleware()) }
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: ProblemMiddleware())
    if let names = HostCheckMiddleware<BasicRequestContext>.names(
        host: configuration.host, extra: configuration.allowedHosts)
    {
        router.add(middleware: HostCheckMiddleware(allowed: names))
    }
    router.add(middleware: DeadlineMiddleware(seconds: configuration.requestTimeout))
    let handlers = Handlers(store: store, configuration: configuration, sync: sync)
    for route in KindredRoute.allCases {
        let (routerPath, method) = (RouterPath(route.routerPath), route.method)
        switch route {
        case .console, .consoleFile:
            router.on(routerPath, method: method) { try handlers.console($0, $1) }
        case .status: router.on(routerPath, method: method) { try await handlers.status($0, $1) }
        case .findArticles: router.on(routerPath, method: method) { try handlers.findArticles($0, $1) }
        case .relatedByID:
            router.on(routerPath, method: method) { try handlers.relatedByID($0, $1) }
        case .relatedToDraft: router.on(routerPath, method: method) { try await handlers.relatedToDraft($0, $1) }
        case .article: router.on(routerPath, method: method) { try handlers.article($0, $1) }
        case .upsert: router.on(routerPath, method: method) { try await handlers.upsert($0, $1) }
        case .delete: router.on(routerPath, method: method) { try await handlers.delete($0, $1) }
        case .overrides:
            router.on(routerPath, method: method) { try handlers.overrides($0, $1) }
        case .setOverrides:
            router.on(routerPath, method: method) { try await handlers.setOverrides($0, $1) }
        case .deleteOverrides:
            router.on(routerPath, method: method) { try await handlers.deleteOverrides($0, $1) }
        case .reload: router.on(routerPath, method: method) { try await handlers.reload($0, $1) }
        case .health:
            router.on(routerPath, method: method) { _, _ in try handlers.response(StatusResponse(status: "ok")) }
        case .ready:
            router.on(routerPath, method: method) { _, _ in
                let index = store.current
                let replica = store.replicaStatus
                let journal = replica.map { $0.journalReachable ? "reachable" : "unreachable" }
                // A replica that reaches its journal is ready once it has applied it; one that
                // can't reach it serves its model's articles, and says so, rather than nothing.
                if let replica, replica.journalReachable, !replica.caughtUp {
                    return try handlers.response(
                        StatusResponse(
                            status: "catching up", model: ModelInfo(index), articles: index.articleCount,
                            journal: journal), status: .serviceUnavailable)
                }
                return try handlers.response(
                    StatusResponse(
                        status: replica.map { $0.caughtUp ? "ready" : "ready: model only, journal unreachable" }
                            ?? "ready", model: ModelInfo(index), articles: index.articleCount, journal: journal))
            }
        case .metrics: router.on(routerPath, method: method) { try await handlers.metrics($0, $1) }
        case .openAPI: router.on(routerPath, method: method) { handlers.openAPI($0, $1) }
        }
    }
    return router
}

/// The HTTP application: the router on `host:port`, plus a service reloading the model on SIGHUP
/// and, when given, the sync from a source database.
public func buildApplication(
    store: ModelStore, configuration: ServerConfiguration, logger: Logger, sync: SourceSync? = nil
) -> some ApplicationProtocol {
    var services: [any Service] = [ReloadOnHangUp(store: store, logger: logger)]
    if let sync { services.append(sync) }
    // Other servers write to a shared journal: follow it. A directory's own has no one else.
    if store.journal.isShared { services.append(ReplicaFollower(store: store, journal: store.journal, logger: logger)) }
    return Application(
        router: buildRouter(store: store, configuration: configuration, sync: sync),
        server: .http1(
            configuration: .init(idleTimeout: .milliseconds(Int64(configuration.idleTimeout * 1000)))),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "kindred"),
        services: services,
        logger: logger)
}

/// Reloads the model when the process receives SIGHUP (`systemctl reload kindred`).
struct ReloadOnHangUp: Service {
    let store: ModelStore
    let logger: Logger

    func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            logger.info("SIGHUP: reloading the model")
            do {
                _ = try await store.reload()
            } catch {
                logger.error("SIGHUP reload refused", metadata: ["reason": "\(error)"])
            }
        }
    }
}
