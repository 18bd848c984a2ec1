import CSQLite
import Foundation

/// A SQLite database through Debian's libsqlite3, opened read-only. `:since` is SQLite's own
/// named-parameter syntax, so the query runs as written and the watermark is bound to it.
final class SQLiteConnection: DatabaseConnection {
    private let handle: OpaquePointer
    private let name: String

    init(_ url: SourceURL) throws {
        name = url.redacted
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw SourceError(source: name, reason: "no such database file")
        }
        var database: OpaquePointer?
        guard sqlite3_open_v2(url.path, &database, SQLITE_OPEN_READONLY, nil) == SQLITE_OK, let database else {
            let reason = database.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(database)
            throw SourceError(source: name, reason: "can't open the database: \(reason)")
        }
        handle = database
        sqlite3_busy_timeout(handle, 10_000)  // a writer holding the lock: wait, don't fail
    }

    deinit { sqlite3_close_v2(handle) }

    func rows(_ query: SourceQuery, since: Date?) throws -> RowCursor {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, query.text, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw SourceError(source: name, reason: "the query failed: \(String(cString: sqlite3_errmsg(handle)))")
        }
        if let since {
            let index = sqlite3_bind_parameter_index(statement, ":since")
            if index > 0 {
                let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
                sqlite3_bind_text(statement, index, DatabaseTimestamp.format(since), -1, transient)
            }
        }
        return Cursor(statement: statement, connection: self)
    }

    func now() throws -> Date {
        let cursor = try rows(SourceQuery("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now') AS now"), since: nil)
        guard let text = try cursor.next()?["now"] as? String, let date = DatabaseTimestamp.parse(text) else {
            throw SourceError(source: name, reason: "can't read the database's clock")
        }
        return date
    }

    final class Cursor: RowCursor {
        let statement: OpaquePointer
        let connection: SQLiteConnection
        let columns: [String]
        private var row = 0

        init(statement: OpaquePointer, connection: SQLiteConnection) {
            self.statement = statement
            self.connection = connection
            columns = (0..<sqlite3_column_count(statement)).map { String(cString: sqlite3_column_name(statement, $0)) }
        }

        deinit { sqlite3_finalize(statement) }

        func next() throws -> [String: ColumnValue]? {
            let step = sqlite3_step(statement)
            if step == SQLITE_DONE { return nil }
            guard step == SQLITE_ROW else {
                throw SourceError(
                    source: connection.name,
                    reason: "reading row \(row + 1) failed: \(String(cString: sqlite3_errmsg(connection.handle)))")
            }
            row += 1
            var values: [String: ColumnValue] = [:]
            for (i, column) in columns.enumerated() {
                let index = Int32(i)
                switch sqlite3_column_type(statement, index) {
                case SQLITE_INTEGER: values[column] = sqlite3_column_int64(statement, index)
                case SQLITE_FLOAT: values[column] = sqlite3_column_double(statement, index)
                case SQLITE_NULL: values[column] = NSNull()
                default:
                    let count = Int(sqlite3_column_bytes(statement, index))
                    if let bytes = sqlite3_column_text(statement, index) {
                        values[column] = String(
                            decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
                    } else {
                        values[column] = ""
                    }
                }
            }
            return values
        }
    }
}
