import Foundation
import KindredEngine

/// Where `kindred reindex --source URL` reads articles: a database, given by URL.
///
/// A query returns one row per article, its columns named like the corpus fields (`id`, `title`,
/// `body`, `url`, `published_at`, `section`, `language`, `tags`, `body_format`), aliases doing the
/// mapping; without one, the table `articles` is read. Rows are checked like corpus lines
/// (`CorpusReader.article(from:)`, HTML bodies included) and problems name the source, the row
/// and its id.
public enum ArticleSource {
    /// The query used when none is given.
    public static let defaultQuery = "SELECT * FROM articles"

    /// Reads every row of `query` from the database `url` names, one row at a time.
    ///
    /// - Throws: `SourceError` for a URL Kindred can't read, a database it can't reach, a query
    ///   that fails or lacks an `id` column, or a read cut short.
    public static func read(url: SourceURL, query: String = defaultQuery, bodyFormat: BodyFormat? = nil) throws
        -> CorpusReader.Result
    {
        let connection = try Database.connect(url)
        let cursor = try connection.rows(SourceQuery(query), since: nil)
        try requireColumns(["id"], in: cursor, of: url, query: "query")
        var result = CorpusReader.Result()
        result.files = [url.redacted]
        var seen: [String: String] = [:]
        while let row = try cursor.next() {
            result.lines += 1
            let fields = Self.fields(row)
            result.take(
                article(from: fields, bodyFormat: bodyFormat), file: url.redacted, line: result.lines, seen: &seen)
        }
        return result
    }

    /// The database's clock now: `reindex --source` records it as the first watermark of a
    /// server's sync.
    public static func databaseNow(url: SourceURL) throws -> Date {
        try Database.connect(url).now()
    }

    static func requireColumns(_ required: [String], in cursor: RowCursor, of url: SourceURL, query: String) throws {
        for column in required where !cursor.columns.contains(column) {
            throw SourceError(
                source: url.redacted,
                reason:
                    "the \(query) returns no '\(column)' column (columns: \(cursor.columns.joined(separator: ", "))); name one with AS \(column)"
            )
        }
    }

    /// A row as an article, a problem naming the row's id when it has one.
    static func article(from fields: [String: Any], bodyFormat: BodyFormat?) -> Result<Article, CorpusReader.Reason> {
        received(from: fields, bodyFormat: bodyFormat).map(\.article)
    }

    /// A row as a received article (what a sync journals), a problem naming the row's id.
    static func received(from fields: [String: Any], bodyFormat: BodyFormat?)
        -> Result<ReceivedArticle, CorpusReader.Reason>
    {
        ReceivedArticle.read(fields, bodyFormat: bodyFormat).mapError { reason in
            guard let id = fields["id"] as? String, !reason.text.contains("'\(id)'") else { return reason }
            return CorpusReader.Reason(text: "id '\(id)': \(reason.text)")
        }
    }

    /// A row's values as corpus fields: `id` as text whatever its column type, `tags` split at
    /// commas when the database gives text, `published_at` given as a timestamp or as seconds
    /// since 1970 turned into RFC 3339.
    static func fields(_ row: [String: Any]) -> [String: Any] {
        var fields = row
        switch row["id"] {
        case let id as Int64: fields["id"] = String(id)
        case let id as Double: fields["id"] = String(format: "%.0f", id)
        default: break
        }
        if let tags = row["tags"] as? String {
            fields["tags"] = tags.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty
            }
        }
        switch row["published_at"] {
        case let seconds as Int64:
            fields["published_at"] = RFC3339.format(Date(timeIntervalSince1970: TimeInterval(seconds)))
        case let date as Date: fields["published_at"] = RFC3339.format(date)
        case let text as String:
            if RFC3339.parse(text) == nil, let date = DatabaseTimestamp.parse(text) {
                fields["published_at"] = RFC3339.format(date)
            }
        default: break
        }
        return fields
    }
}

/// A source that can't be read, worded without its credentials.
public struct SourceError: Error, Sendable, CustomStringConvertible {
    /// The source's URL with any password replaced by `***`.
    public let source: String
    public let reason: String

    public var description: String { "\(source): \(reason)" }
}
