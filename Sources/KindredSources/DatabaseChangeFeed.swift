import Foundation
import KindredEngine

/// The rows a sync query returns, as changes: `kindred serve --source URL --sync-query SQL`.
///
/// The query takes the corpus columns plus `updated_at` (a timestamp, or seconds since 1970) and an
/// optional `withdrawn` (boolean, or 0/1): a withdrawn row becomes a DELETE, any other a PUT. Its
/// `:since` placeholder is bound to the lower bound of each read. A connection is opened per read,
/// so a database that restarts between syncs costs nothing but that sync.
public struct DatabaseChangeFeed: ChangeFeed {
    let url: SourceURL
    let query: SourceQuery
    let bodyFormat: BodyFormat?

    public var name: String { url.redacted }

    /// - Throws: `SourceError` for a query without `:since`.
    public init(url: SourceURL, query: String, bodyFormat: BodyFormat? = nil) throws {
        self.url = url
        self.query = SourceQuery(query)
        self.bodyFormat = bodyFormat
        guard !self.query.placeholders.isEmpty else {
            throw SourceError(
                source: url.redacted,
                reason:
                    "the sync query has no :since placeholder, so every sync would read everything; add a condition such as WHERE updated_at >= :since"
            )
        }
    }

    public func changes(since: Date) throws -> SourceChanges {
        let connection = try Database.connect(url)
        // The clock before the rows: a row committed during the read has a later time and is
        // read again by the next sync, never passed by the watermark.
        let readAt = try connection.now()
        let cursor = try connection.rows(query, since: since)
        try ArticleSource.requireColumns(["id", "updated_at"], in: cursor, of: url, query: "sync query")
        var read = SourceChanges()
        read.readAt = readAt
        var row = 0
        while let values = try cursor.next() {
            row += 1
            let fields = ArticleSource.fields(values)
            func problem(_ reason: String) {
                read.problems.append(CorpusProblem(file: url.redacted, line: row, reason: reason))
            }
            guard let updatedAt = Self.timestamp(values["updated_at"]) else {
                problem("'updated_at' is missing or not a timestamp; row skipped")
                continue
            }
            read.newest = max(read.newest ?? updatedAt, updatedAt)
            guard let id = (fields["id"] as? String).map(ArticleID.normalized), !id.isEmpty else {
                problem("missing 'id'; row skipped")
                continue
            }
            if Self.flag(values["withdrawn"]) {
                read.changes.append(SourceChange(id: id, updatedAt: updatedAt, operation: .withdraw))
                continue
            }
            switch ArticleSource.received(from: fields, bodyFormat: bodyFormat) {
            case .success(let received):
                read.changes.append(
                    SourceChange(id: received.article.id, updatedAt: updatedAt, operation: .put(received)))
            case .failure(let reason): problem(reason.text)
            }
        }
        return read
    }

    public func now() throws -> Date { try Database.connect(url).now() }

    static func timestamp(_ value: Any?) -> Date? {
        switch value {
        case let date as Date: return date
        case let seconds as Int64: return Date(timeIntervalSince1970: TimeInterval(seconds))
        case let seconds as Double: return Date(timeIntervalSince1970: seconds)
        case let text as String: return DatabaseTimestamp.parse(text) ?? RFC3339.parse(text)
        default: return nil
        }
    }

    /// A `withdrawn` value as the drivers give it: a boolean (PostgreSQL), an integer (MariaDB's
    /// `TINYINT(1)` and `BIT(1)`, SQLite), a number, or text.
    static func flag(_ value: Any?) -> Bool {
        switch value {
        case let flag as Bool: return flag
        case let number as Int64: return number != 0
        case let number as Double: return number != 0
        case let text as String:
            return ["1", "t", "true", "yes", "y", "on"].contains(text.trimmingCharacters(in: .whitespaces).lowercased())
        default: return false
        }
    }
}
