import CSQLite
import Foundation
import KindredEngine

/// Articles from a SQLite database (Debian's libsqlite3, opened read-only), one row at a time.
struct SQLiteSource {
    let path: String

    func read(query: String, name: String, bodyFormat: BodyFormat?) throws -> CorpusReader.Result {
        guard FileManager.default.fileExists(atPath: path) else {
            throw SourceError(source: name, reason: "no such database file")
        }
        var database: OpaquePointer?
        guard sqlite3_open_v2(path, &database, SQLITE_OPEN_READONLY, nil) == SQLITE_OK, let database else {
            let reason = database.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(database)
            throw SourceError(source: name, reason: "can't open the database: \(reason)")
        }
        defer { sqlite3_close(database) }
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(database, query, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw SourceError(source: name, reason: "the query failed: \(String(cString: sqlite3_errmsg(database)))")
        }
        defer { sqlite3_finalize(statement) }
        let columns = (0..<sqlite3_column_count(statement)).map { String(cString: sqlite3_column_name(statement, $0)) }
        guard columns.contains("id") else {
            throw SourceError(
                source: name, reason: "the query returns no 'id' column (columns: \(columns.joined(separator: ", ")))")
        }
        var result = CorpusReader.Result()
        result.files = [name]
        var seen: [String: String] = [:]
        var row = 0
        while true {
            let step = sqlite3_step(statement)
            if step == SQLITE_DONE { break }
            guard step == SQLITE_ROW else {
                throw SourceError(
                    source: name, reason: "reading row \(row + 1) failed: \(String(cString: sqlite3_errmsg(database)))")
            }
            row += 1
            result.lines += 1
            let fields = ArticleSource.fields(Self.values(of: statement, columns: columns))
            result.take(CorpusReader.article(from: fields, bodyFormat: bodyFormat), file: name, line: row, seen: &seen)
        }
        return result
    }

    /// The current row as column name → value: `String`, `Int64`, `Double` or `NSNull`.
    static func values(of statement: OpaquePointer, columns: [String]) -> [String: Any] {
        var values: [String: Any] = [:]
        for (i, column) in columns.enumerated() {
            let index = Int32(i)
            switch sqlite3_column_type(statement, index) {
            case SQLITE_INTEGER: values[column] = sqlite3_column_int64(statement, index)
            case SQLITE_FLOAT: values[column] = sqlite3_column_double(statement, index)
            case SQLITE_NULL: values[column] = NSNull()
            default:
                let count = Int(sqlite3_column_bytes(statement, index))
                if let bytes = sqlite3_column_text(statement, index) {
                    values[column] = String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
                } else {
                    values[column] = ""
                }
            }
        }
        return values
    }
}
