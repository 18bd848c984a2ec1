import Foundation
import KindredEngine

/// Where `kindred reindex --source URL` reads articles: a database, given by URL.
///
/// A query returns one row per article, its columns named like the corpus fields (`id`, `title`,
/// `body`, `url`, `published_at`, `section`, `language`, `tags`, `body_format`), aliases doing the
/// mapping; without one, the table `articles` is read. Rows are checked like corpus lines
/// (`CorpusReader.article(from:)`, HTML bodies included) and problems name the source and the row.
public enum ArticleSource {
    /// The query used when none is given.
    public static let defaultQuery = "SELECT * FROM articles"

    /// Reads every row of `query` from the database `url` names.
    ///
    /// - Throws: `SourceError` for a URL Kindred can't read, a database it can't open or a query
    ///   that fails.
    public static func read(url: String, query: String = defaultQuery, bodyFormat: BodyFormat? = nil) throws
        -> CorpusReader.Result
    {
        let location = try SourceURL(url)
        switch location.scheme {
        case .sqlite:
            return try SQLiteSource(path: location.path).read(
                query: query, name: location.redacted, bodyFormat: bodyFormat)
        case .postgresql, .mysql:
            throw SourceError(
                source: location.redacted,
                reason:
                    "\(location.scheme.rawValue) sources are not built yet; export the articles as JSON Lines and use --corpus"
            )
        }
    }

    /// A row's values as corpus fields: `id` as text whatever its column type, `tags` split at
    /// commas when the database gives text, `published_at` given as seconds since 1970 turned
    /// into RFC 3339.
    static func fields(_ row: [String: Any]) -> [String: Any] {
        var fields = row
        if let id = row["id"] as? Int64 { fields["id"] = String(id) }
        if let tags = row["tags"] as? String {
            fields["tags"] = tags.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty
            }
        }
        if let seconds = row["published_at"] as? Int64 {
            fields["published_at"] = RFC3339.format(Date(timeIntervalSince1970: TimeInterval(seconds)))
        }
        return fields
    }
}

/// A source that can't be read at all, worded without its credentials.
public struct SourceError: Error, Sendable, CustomStringConvertible {
    /// The source's URL with any password replaced by `***`.
    public let source: String
    public let reason: String

    public var description: String { "\(source): \(reason)" }
}
