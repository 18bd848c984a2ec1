import Foundation

/// A column value as the drivers hand it over: `String`, `Int64`, `Double`, `Bool`, `Date`,
/// `[String]` (a PostgreSQL array) or `NSNull`.
typealias ColumnValue = Any

/// The rows of a running query, one at a time: the drivers stream (libpq's single-row mode,
/// `mysql_use_result`, `sqlite3_step`), so a source's memory does not grow with its size beyond
/// the articles kept.
protocol RowCursor: AnyObject {
    var columns: [String] { get }
    /// The next row, column name → value, or nil after the last.
    ///
    /// - Throws: `SourceError` when the database fails mid-read (a dropped connection, a killed query).
    func next() throws -> [String: ColumnValue]?
}

/// An open connection to a source database.
protocol DatabaseConnection: AnyObject {
    /// Starts `query`, binding `since` to its `:since` placeholders (whole seconds, UTC).
    func rows(_ query: SourceQuery, since: Date?) throws -> RowCursor
    /// The database's own clock, so that a sync's first watermark does not depend on this machine's.
    func now() throws -> Date
}

enum Database {
    /// Connects to the database `url` names.
    ///
    /// - Throws: `SourceError` naming the source (redacted) for a refused login, an unreachable
    ///   host or a missing file.
    static func connect(_ url: SourceURL) throws -> DatabaseConnection {
        switch url.scheme {
        case .sqlite: return try SQLiteConnection(url)
        case .postgresql: return try PostgreSQLConnection(url)
        case .mysql: return try MariaDBConnection(url)
        }
    }
}
