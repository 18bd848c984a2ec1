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
    /// Passwords the URL holds (its user's, a `password` query parameter): never printed.
    let secrets: [String]

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
        // A password with an unencoded '@' splits the URL at the wrong place, and the part after
        // it would be printed as the host: refuse it, printing nothing of what precedes the last '@'.
        if let separator = text.range(of: "://"), text[separator.upperBound...].filter({ $0 == "@" }).count > 1 {
            let tail = text[text.lastIndex(of: "@")!...]
            throw SourceError(
                source: "\(text[..<separator.upperBound])***\(tail)",
                reason:
                    "the URL has more than one '@': percent-encode an '@' in the user or password as %40 (or give the password with --source-password-file)"
            )
        }
        guard let components = URLComponents(string: text), let name = components.scheme?.lowercased() else {
            throw SourceError(
                source: "the source",
                reason: "not a URL; use postgresql://user@host/db, mysql://user@host/db or sqlite:///path/to/file.db")
        }
        var shown = components
        if shown.password != nil { shown.password = "***" }
        // libpq also takes the password as a query parameter (?password=…).
        let secretOptions = Set(["password", "passwd", "pwd", "sslpassword"])
        shown.queryItems = components.queryItems?.map {
            secretOptions.contains($0.name.lowercased()) ? URLQueryItem(name: $0.name, value: "***") : $0
        }
        redacted = shown.string ?? "\(name)://…"
        secrets =
            ([components.password]
            + (components.queryItems ?? []).filter {
                secretOptions.contains($0.name.lowercased())
            }.map(\.value)).compactMap { $0 }.filter { !$0.isEmpty }
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
        var message = message
        for secret in secrets + [password].compactMap({ $0 }) where !secret.isEmpty {
            message = message.replacingOccurrences(of: secret, with: "***")
        }
        return message
    }
}
