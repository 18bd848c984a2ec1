import Foundation

/// A database URL: `sqlite:///absolute/path.db`, `postgresql://user:password@host:port/db`,
/// `mysql://…`. Kept apart from its redacted form, which is the only one ever printed.
struct SourceURL {
    enum Scheme: String, CaseIterable {
        case sqlite, postgresql, mysql
    }

    let scheme: Scheme
    /// The file, for SQLite.
    let path: String
    /// The URL with the password, if any, replaced by `***`: for messages and logs.
    let redacted: String

    init(_ text: String) throws {
        guard let components = URLComponents(string: text), let name = components.scheme?.lowercased() else {
            throw SourceError(source: "the source", reason: "not a URL; use sqlite:///path/to/file.db")
        }
        var shown = components
        if shown.password != nil { shown.password = "***" }
        redacted = shown.string ?? "\(name)://…"
        let aliases: [String: Scheme] = ["postgres": .postgresql, "mariadb": .mysql]
        guard let scheme = Scheme(rawValue: name) ?? aliases[name] else {
            throw SourceError(
                source: redacted,
                reason:
                    "unknown scheme '\(name)'; use \(Scheme.allCases.map { "\($0.rawValue)://" }.joined(separator: ", "))"
            )
        }
        self.scheme = scheme
        path = components.percentEncodedPath.removingPercentEncoding ?? components.path
        if scheme == .sqlite, components.host.map({ !$0.isEmpty }) ?? false || !path.hasPrefix("/") {
            throw SourceError(source: redacted, reason: "a SQLite source is sqlite:///absolute/path.db (three slashes)")
        }
    }
}
