import Foundation

/// A database URL: `sqlite:///absolute/path.db`, `postgresql://user:password@host:port/database`,
/// `mysql://user:password@host:port/database` (MariaDB too). Kept apart from its redacted form,
/// which is the only one ever printed.
public struct SourceURL: Sendable {
    public enum Scheme: String, CaseIterable, Sendable {
        case sqlite, postgresql, mysql
    }

    public let scheme: Scheme
    /// The URL as given, password included: handed to the client library, never printed.
    let text: String
    /// The file, for SQLite; the database name (the path without its slash) otherwise.
    let path: String
    let host: String?
    let port: Int?
    let user: String?
    /// From the URL, else from `passwordFile` or `$KINDRED_SOURCE_PASSWORD`.
    let password: String?
    /// The URL's query items (`?sslmode=require`), for the client library's own options.
    let options: [URLQueryItem]
    /// The URL with the password, if any, replaced by `***`: for messages, logs and the manifest.
    public let redacted: String

    /// The environment variable that holds the password when the URL has none.
    public static let passwordVariable = "KINDRED_SOURCE_PASSWORD"

    /// Reads a source URL.
    ///
    /// - Parameters:
    ///   - passwordFile: a file whose first line is the password, so that it appears neither in
    ///     the command line (visible in `ps`) nor in the environment.
    /// - Throws: `SourceError` for text that is not a URL Kindred reads.
    public init(
        _ text: String, passwordFile: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        guard let components = URLComponents(string: text), let name = components.scheme?.lowercased() else {
            throw SourceError(
                source: "the source",
                reason: "not a URL; use postgresql://user@host/db, mysql://user@host/db or sqlite:///path/to/file.db")
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
        self.text = text
        let fullPath = components.percentEncodedPath.removingPercentEncoding ?? components.path
        host = components.host.flatMap { $0.isEmpty ? nil : $0 }
        port = components.port
        user = components.user
        options = components.queryItems ?? []
        switch scheme {
        case .sqlite:
            guard host == nil, fullPath.hasPrefix("/") else {
                throw SourceError(
                    source: redacted, reason: "a SQLite source is sqlite:///absolute/path.db (three slashes)")
            }
            path = fullPath
        case .postgresql, .mysql:
            path = String(fullPath.drop(while: { $0 == "/" }))
            guard scheme == .postgresql || !path.isEmpty else {
                throw SourceError(source: redacted, reason: "name the database: mysql://user@host:3306/database")
            }
        }
        if let password = components.password {
            self.password = password
        } else if let passwordFile {
            guard let contents = try? String(contentsOfFile: passwordFile, encoding: .utf8) else {
                throw SourceError(source: redacted, reason: "can't read the password file \(passwordFile)")
            }
            self.password = contents.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init)
        } else {
            self.password = environment[Self.passwordVariable].flatMap { $0.isEmpty ? nil : $0 }
        }
    }

    /// Whether the URL itself carries a password (libpq reads the URL; a password from elsewhere is
    /// passed beside it).
    var passwordInURL: Bool { URLComponents(string: text)?.password != nil }

    /// `text` with any occurrence of the password replaced by `***`: client libraries sometimes
    /// repeat what they were given in their messages.
    func redacting(_ message: String) -> String {
        guard let password, !password.isEmpty else { return message }
        return message.replacingOccurrences(of: password, with: "***")
    }
}
