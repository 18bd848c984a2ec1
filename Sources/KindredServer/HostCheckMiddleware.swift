import Hummingbird

/// Refuses requests whose `Host` names another server (421 Misdirected Request).
///
/// Why: a server bound to loopback without an admin token trusts everyone who can reach it, and
/// DNS rebinding lets a web page reach it: the page's own name is re-pointed at 127.0.0.1, and
/// the browser then sends the page's requests here, `Host: evil.example` included. Checking the
/// `Host` against the names this server is reached by stops that (the usual defence; see
/// Jackson et al., "Protecting Browsers from DNS Rebinding Attacks", CCS 2007). A request without
/// a `Host` (HTTP/1.0, local tools) is let through: a browser always sends one.
struct HostCheckMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Lower-cased host names, without port.
    let allowed: Set<String>

    /// The names a loopback-bound server answers to, plus `extra` (`--allowed-host`); nil when
    /// the server binds another address and no name was given (every `Host` is accepted then).
    static func names(host: String, extra: [String]) -> Set<String>? {
        let loopback: Set<String> = ["127.0.0.1", "localhost", "::1", "[::1]"]
        guard loopback.contains(host.lowercased()) || !extra.isEmpty else { return nil }
        return loopback.union([host.lowercased()]).union(extra.map { $0.lowercased() })
    }

    /// `Host` without its port (`[::1]:8080` → `[::1]`, `localhost:8080` → `localhost`).
    static func name(of authority: String) -> String {
        let lowered = authority.lowercased()
        if lowered.hasPrefix("["), let end = lowered.firstIndex(of: "]") { return String(lowered[...end]) }
        return String(lowered.split(separator: ":", maxSplits: 1).first ?? "")
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        if let authority = request.head.authority, !allowed.contains(Self.name(of: authority)) {
            throw Problem(
                .misdirectedRequest,
                "this server does not answer to the host '\(authority)'; reach it by an address it is bound to, or start it with --allowed-host NAME",
                title: "Misdirected Request")
        }
        return try await next(request, context)
    }
}
