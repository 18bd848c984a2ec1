import CMariaDB
import Foundation

/// A MySQL or MariaDB database through Debian's MariaDB Connector/C (`libmariadb`): the text
/// protocol, rows streamed with `mysql_use_result`, the session in UTC and utf8mb4.
///
/// The text protocol has no parameters, so `:since` becomes a quoted literal escaped by
/// `mysql_real_escape_string` (the value is a timestamp Kindred formats, never user text).
final class MariaDBConnection: DatabaseConnection {
    private let handle: UnsafeMutablePointer<MYSQL>
    let name: String
    let url: SourceURL

    init(_ url: SourceURL) throws {
        self.url = url
        name = url.redacted
        guard let handle = mysql_init(nil) else { throw SourceError(source: name, reason: "out of memory") }
        var timeout: UInt32 = 10
        mysql_options(handle, MYSQL_OPT_CONNECT_TIMEOUT, &timeout)
        var readTimeout: UInt32 = 600
        mysql_options(handle, MYSQL_OPT_READ_TIMEOUT, &readTimeout)
        mysql_options(handle, MYSQL_SET_CHARSET_NAME, "utf8mb4")
        let socket = url.options.first { $0.name == "socket" }?.value
        let connected = mysql_real_connect(
            handle, url.host ?? (socket == nil ? "127.0.0.1" : "localhost"), url.user ?? "root", url.password,
            url.path, UInt32(url.port ?? 3306), socket, 0)
        guard connected != nil else {
            let reason = url.redacting(String(cString: mysql_error(handle)))
            mysql_close(handle)
            throw SourceError(source: name, reason: "can't connect: \(reason)")
        }
        self.handle = handle
        // Values without an offset (DATETIME, TIMESTAMP shown in the session's zone) are read as
        // UTC, so the session must be in UTC.
        guard mysql_query(handle, "SET time_zone = '+00:00'") == 0 else {
            throw failure("can't set the session to UTC")
        }
    }

    deinit { mysql_close(handle) }

    func rows(_ query: SourceQuery, since: Date?) throws -> RowCursor {
        var text = query.text
        if !query.placeholders.isEmpty {
            let value = DatabaseTimestamp.format(since ?? Date(timeIntervalSince1970: 0))
            var escaped = [CChar](repeating: 0, count: value.utf8.count * 2 + 1)
            let length = Int(mysql_real_escape_string(handle, &escaped, value, UInt(value.utf8.count)))
            let literal = String(decoding: escaped.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            text = query.replacingPlaceholders(with: "'\(literal)'")
        }
        guard mysql_real_query(handle, text, UInt(text.utf8.count)) == 0 else { throw failure("the query failed") }
        guard let result = mysql_use_result(handle) else {
            if mysql_errno(handle) != 0 { throw failure("the query failed") }
            throw SourceError(source: name, reason: "the query returns no rows (is it a SELECT?)")
        }
        return Cursor(result: result, connection: self)
    }

    func now() throws -> Date {
        let cursor = try rows(SourceQuery("SELECT UTC_TIMESTAMP(6) AS now"), since: nil)
        guard let date = try cursor.next()?["now"] as? Date else {
            throw SourceError(source: name, reason: "can't read the database's clock")
        }
        _ = try cursor.next()
        return date
    }

    func failure(_ what: String) -> SourceError {
        SourceError(source: name, reason: "\(what): \(url.redacting(String(cString: mysql_error(handle))))")
    }

    final class Cursor: RowCursor {
        let result: UnsafeMutablePointer<MYSQL_RES>
        let connection: MariaDBConnection
        let columns: [String]
        private let types: [enum_field_types]
        private var row = 0
        private var finished = false

        init(result: UnsafeMutablePointer<MYSQL_RES>, connection: MariaDBConnection) {
            self.result = result
            self.connection = connection
            let count = Int(mysql_num_fields(result))
            let fields = mysql_fetch_fields(result)
            columns = (0..<count).map { i in fields.map { String(cString: $0[i].name) } ?? "" }
            types = (0..<count).map { i in fields.map { $0[i].type } ?? MYSQL_TYPE_STRING }
        }

        deinit { mysql_free_result(result) }

        func next() throws -> [String: ColumnValue]? {
            if finished { return nil }
            guard let values = mysql_fetch_row(result) else {
                finished = true
                if mysql_errno(connection.handle) != 0 {
                    throw connection.failure("reading row \(row + 1) failed")
                }
                return nil
            }
            row += 1
            let lengths = mysql_fetch_lengths(result)
            var row: [String: ColumnValue] = [:]
            for (i, column) in columns.enumerated() {
                guard let bytes = values[i] else {
                    row[column] = NSNull()
                    continue
                }
                let count = lengths.map { Int($0[i]) } ?? strlen(bytes)
                if types[i] == MYSQL_TYPE_BIT {
                    // BIT(n) comes as n bits in big-endian bytes, not as digits: b'1' is the byte 0x01.
                    row[column] = bytes.withMemoryRebound(to: UInt8.self, capacity: count) { raw in
                        (0..<min(count, 8)).reduce(Int64(0)) { $0 << 8 | Int64(raw[$1]) }
                    }
                    continue
                }
                let text = bytes.withMemoryRebound(to: UInt8.self, capacity: count) {
                    String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
                }
                row[column] = Self.value(text, type: types[i])
            }
            return row
        }

        static func value(_ text: String, type: enum_field_types) -> ColumnValue {
            switch type {
            case MYSQL_TYPE_TINY, MYSQL_TYPE_SHORT, MYSQL_TYPE_LONG, MYSQL_TYPE_LONGLONG, MYSQL_TYPE_INT24,
                MYSQL_TYPE_YEAR:
                return Int64(text) ?? text
            case MYSQL_TYPE_FLOAT, MYSQL_TYPE_DOUBLE: return Double(text) ?? text
            case MYSQL_TYPE_DATETIME, MYSQL_TYPE_TIMESTAMP, MYSQL_TYPE_DATE, MYSQL_TYPE_NEWDATE:
                // MySQL's zero date ('0000-00-00 00:00:00', WordPress's unset dates) is no date.
                return DatabaseTimestamp.parse(text) ?? NSNull()
            default: return text
            }
        }
    }
}
