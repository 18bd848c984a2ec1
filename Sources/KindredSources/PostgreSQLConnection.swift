import CLibPQ
import Foundation

/// A PostgreSQL database through Debian's libpq. The URL goes to libpq as it is (so its own
/// parameters, `sslmode` and friends, and `PGPASSWORD` / `~/.pgpass` work); rows arrive in
/// single-row mode, one at a time, instead of libpq's default of the whole result in memory.
final class PostgreSQLConnection: DatabaseConnection {
    private let handle: OpaquePointer
    let name: String
    let url: SourceURL

    /// Seconds a connection attempt may take unless the URL says otherwise (`?connect_timeout=`).
    static let connectTimeout = "10"

    init(_ url: SourceURL, connectTimeout: String = PostgreSQLConnection.connectTimeout) throws {
        self.url = url
        name = url.redacted
        // Later parameters override earlier ones, and the URL (expanded from `dbname`) comes last,
        // so what it says wins over these defaults.
        var keywords = ["connect_timeout", "application_name", "client_encoding"]
        var values = [connectTimeout, "kindred", "UTF8"]
        if !url.passwordInURL, let password = url.password {
            keywords.append("password")
            values.append(password)
        }
        keywords.append("dbname")
        values.append(url.text)
        let connection = Self.withCStrings(keywords) { keywordPointers in
            Self.withCStrings(values) { valuePointers in PQconnectdbParams(keywordPointers, valuePointers, 1) }
        }
        guard let connection else { throw SourceError(source: name, reason: "out of memory") }
        guard PQstatus(connection) == CONNECTION_OK else {
            let reason = url.redacting(Self.message(PQerrorMessage(connection)))
            PQfinish(connection)
            throw SourceError(source: name, reason: "can't connect: \(reason)")
        }
        handle = connection
        // Timestamps in the ISO form DatabaseTimestamp reads, whatever the server's default style.
        if let result = PQexec(handle, "SET DateStyle = ISO") { PQclear(result) }
        // NOTICEs ("relation already exists, skipping") would go to stderr through libpq's default
        // handler: Kindred reports what matters itself.
        if let result = PQexec(handle, "SET client_min_messages = warning") { PQclear(result) }
    }

    deinit { PQfinish(handle) }

    func rows(_ query: SourceQuery, since: Date?) throws -> RowCursor {
        let sent: Int32
        if query.placeholders.isEmpty {
            sent = PQsendQueryParams(handle, query.text, 0, nil, nil, nil, nil, 0)
        } else {
            let value = DatabaseTimestamp.format(since ?? Date(timeIntervalSince1970: 0)) + "+00"
            sent = value.withCString { pointer in
                var parameters: [UnsafePointer<CChar>?] = [pointer]
                return PQsendQueryParams(
                    handle, query.replacingPlaceholders(with: "$1"), 1, nil, &parameters, nil, nil, 0)
            }
        }
        guard sent == 1 else { throw failure("the query failed") }
        PQsetSingleRowMode(handle)
        return try Cursor(connection: self)
    }

    func now() throws -> Date {
        let cursor = try rows(SourceQuery("SELECT now() AS now"), since: nil)
        guard let date = try cursor.next()?["now"] as? Date else {
            throw SourceError(source: name, reason: "can't read the database's clock")
        }
        _ = try cursor.next()
        return date
    }

    /// Runs one statement and returns its rows as text, NULL as nil: the shared journal's small
    /// queries, not the streamed reads.
    @discardableResult
    func execute(_ sql: String, _ parameters: [String?] = []) throws -> [[String?]] {
        let copies = parameters.map { $0.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        var pointers = copies.map { $0.map { UnsafePointer($0) } }
        guard let result = PQexecParams(handle, sql, Int32(parameters.count), nil, &pointers, nil, nil, 0) else {
            throw failure("the statement failed")
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            throw SourceError(
                source: name, reason: url.redacting(Self.message(PQresultErrorMessage(result))))
        }
        return Self.rows(of: result)
    }

    /// A result's rows as text, NULL as nil.
    private static func rows(of result: OpaquePointer) -> [[String?]] {
        (0..<PQntuples(result)).map { row in
            (0..<PQnfields(result)).map { column in
                PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
            }
        }
    }

    /// Runs several statements in one round trip (the simple query protocol) and returns each
    /// statement's rows. Values must already be literals (`literal(_:)`). When one statement
    /// fails, the rest are skipped and the error is thrown.
    func executeScript(_ sql: String) throws -> [[[String?]]] {
        guard PQsendQuery(handle, sql) == 1 else { throw failure("the statements failed") }
        var results: [[[String?]]] = []
        var firstError: String?
        while let result = PQgetResult(handle) {
            defer { PQclear(result) }
            let status = PQresultStatus(result)
            if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK {
                results.append(Self.rows(of: result))
            } else if firstError == nil {
                firstError = Self.message(PQresultErrorMessage(result))
            }
        }
        if let firstError { throw SourceError(source: name, reason: url.redacting(firstError)) }
        return results
    }

    /// `text` as a quoted SQL literal, escaped by libpq for this connection's encoding.
    func literal(_ text: String) throws -> String {
        guard let escaped = PQescapeLiteral(handle, text, text.utf8.count) else {
            throw failure("can't quote a value")
        }
        defer { PQfreemem(escaped) }
        return String(cString: escaped)
    }

    /// The first column of the first row, or nil (no row, or NULL).
    func value(_ sql: String, _ parameters: [String?] = []) throws -> String? {
        guard let row = try execute(sql, parameters).first, let first = row.first else { return nil }
        return first
    }

    /// Whether the connection is still usable (libpq saw no broken socket).
    var isHealthy: Bool { PQstatus(handle) == CONNECTION_OK }

    /// Waits up to `timeout` seconds for notifications on the channels this connection LISTENs to.
    ///
    /// - Returns: their payloads (none on timeout).
    /// - Throws: `SourceError` when the connection broke.
    func waitForNotifications(timeout: Double) throws -> [String] {
        var payloads = drainNotifications()
        if !payloads.isEmpty { return payloads }
        var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        guard descriptor.fd >= 0 else { throw failure("the connection is closed") }
        let ready = poll(&descriptor, 1, Int32(timeout * 1000))
        if ready > 0 {
            guard PQconsumeInput(handle) == 1 else { throw failure("the connection broke") }
            payloads = drainNotifications()
        }
        return payloads
    }

    private func drainNotifications() -> [String] {
        var payloads: [String] = []
        while let notification = PQnotifies(handle) {
            payloads.append(notification.pointee.extra.map { String(cString: $0) } ?? "")
            PQfreemem(notification)
        }
        return payloads
    }

    func failure(_ what: String) -> SourceError {
        SourceError(source: name, reason: "\(what): \(url.redacting(Self.message(PQerrorMessage(handle))))")
    }

    static func message(_ text: UnsafePointer<CChar>?) -> String {
        guard let text else { return "unknown error" }
        return String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
            .replacingOccurrences(of: "\n", with: "; ")
    }

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        var copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        copies.append(nil)
        return body(copies.map { $0.map { UnsafePointer($0) } })
    }

    final class Cursor: RowCursor {
        let connection: PostgreSQLConnection
        let columns: [String]
        private let types: [Oid]
        /// The first result, read to learn the columns, handed out by the first `next()`.
        private var pending: OpaquePointer?
        private var finished = false
        private var row = 0

        init(connection: PostgreSQLConnection) throws {
            self.connection = connection
            let first = PQgetResult(connection.handle)
            guard let first else { throw connection.failure("the query returned nothing") }
            let status = PQresultStatus(first)
            guard status == PGRES_SINGLE_TUPLE || status == PGRES_TUPLES_OK else {
                let reason = PostgreSQLConnection.message(PQresultErrorMessage(first))
                PQclear(first)
                Self.drain(connection.handle)
                throw SourceError(
                    source: connection.name, reason: "the query failed: \(connection.url.redacting(reason))")
            }
            columns = (0..<PQnfields(first)).map { String(cString: PQfname(first, $0)) }
            types = (0..<PQnfields(first)).map { PQftype(first, $0) }
            pending = first
        }

        deinit {
            if let pending { PQclear(pending) }
            if !finished {
                // Stop the server sending the rest, then read what is in flight so that the
                // connection is usable (or at least closable) again.
                if let cancel = PQgetCancel(connection.handle) {
                    var buffer = [CChar](repeating: 0, count: 256)
                    _ = PQcancel(cancel, &buffer, Int32(buffer.count))
                    PQfreeCancel(cancel)
                }
                Self.drain(connection.handle)
            }
        }

        static func drain(_ handle: OpaquePointer) {
            while let result = PQgetResult(handle) { PQclear(result) }
        }

        func next() throws -> [String: ColumnValue]? {
            if finished { return nil }
            let result: OpaquePointer
            if let pending {
                result = pending
                self.pending = nil
            } else if let fetched = PQgetResult(connection.handle) {
                result = fetched
            } else {
                finished = true
                return nil
            }
            defer { PQclear(result) }
            switch PQresultStatus(result) {
            case PGRES_SINGLE_TUPLE:
                row += 1
                return values(of: result)
            case PGRES_TUPLES_OK:
                finished = true
                Self.drain(connection.handle)
                return nil
            default:
                finished = true
                let reason = PostgreSQLConnection.message(PQresultErrorMessage(result))
                Self.drain(connection.handle)
                throw SourceError(
                    source: connection.name,
                    reason: "reading row \(row + 1) failed: \(connection.url.redacting(reason))")
            }
        }

        private func values(of result: OpaquePointer) -> [String: ColumnValue] {
            var values: [String: ColumnValue] = [:]
            for (i, column) in columns.enumerated() {
                let field = Int32(i)
                if PQgetisnull(result, 0, field) == 1 {
                    values[column] = NSNull()
                    continue
                }
                let text = String(cString: PQgetvalue(result, 0, field))
                values[column] = Self.value(text, type: types[i])
            }
            return values
        }

        /// Text-format values typed by their column's type (the OIDs of `pg_type`'s built-ins).
        static func value(_ text: String, type: Oid) -> ColumnValue {
            switch type {
            case 16: return text == "t"  // bool
            case 20, 21, 23, 26: return Int64(text) ?? text  // int8, int2, int4, oid
            case 700, 701: return Double(text) ?? text  // float4, float8
            case 1082, 1114, 1184: return DatabaseTimestamp.parse(text) ?? text  // date, timestamp(tz)
            case 1009, 1015, 1002: return PostgreSQLArray.parse(text) ?? [text]  // text[], varchar[], char[]
            default: return text
            }
        }
    }
}

/// PostgreSQL's text form of a one-dimensional array: `{a,b,"c d","say \"hi\"",NULL}`.
enum PostgreSQLArray {
    /// The elements (NULL ones dropped), or nil when `text` is not an array literal.
    static func parse(_ text: String) -> [String]? {
        var characters = Substring(text)
        guard characters.first == "{", characters.last == "}" else { return nil }
        characters = characters.dropFirst().dropLast()
        var elements: [String] = []
        var current = ""
        var quoted = false
        var wasQuoted = false
        var escaped = false
        for c in characters {
            if escaped {
                current.append(c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "\"" {
                quoted.toggle()
                wasQuoted = true
            } else if c == "," && !quoted {
                if wasQuoted || current != "NULL" { elements.append(current) }
                current = ""
                wasQuoted = false
            } else {
                current.append(c)
            }
        }
        if !characters.isEmpty && (wasQuoted || current != "NULL") { elements.append(current) }
        return elements
    }
}
