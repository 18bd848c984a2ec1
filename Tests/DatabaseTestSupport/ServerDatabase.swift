import CLibPQ
import CMariaDB
import Foundation
import KindredEngine

/// The database servers `scripts/databases.sh` started for this run, by URL.
public enum TestServers {
    public static let environment = ProcessInfo.processInfo.environment
    public static let postgreSQL = environment["KINDRED_TEST_POSTGRESQL_URL"]
    public static let mySQL = environment["KINDRED_TEST_MYSQL_URL"]
    /// Without them (a bare `swift test`) the server suites are skipped, except under CI, where
    /// `scripts/test.sh` must have started them and a test says so.
    public static let available = postgreSQL != nil && mySQL != nil
}

/// Why a test database can't be set up.
public struct TestDatabaseError: Error, CustomStringConvertible {
    public let description: String
}

/// A database of its own on a test server, for one test: created with a random name, left for
/// the server's removal at the end of the run. Written with the client libraries directly, not
/// with Kindred's sources, so that what the tests load does not depend on what they test.
public final class ServerDatabase: @unchecked Sendable {
    public enum Kind: Sendable { case postgresql, mysql }

    public let kind: Kind
    /// The database's URL, password included.
    public let url: String
    private var pg: OpaquePointer?
    private var my: UnsafeMutablePointer<MYSQL>?

    public init(_ kind: Kind) throws {
        self.kind = kind
        guard let server = kind == .postgresql ? TestServers.postgreSQL : TestServers.mySQL,
            var components = URLComponents(string: server)
        else { throw TestDatabaseError(description: "no test server: run scripts/databases.sh start DIR") }
        let name = "kt_" + UUID().uuidString.prefix(8).lowercased()
        let admin = Self.open(kind, components)
        try admin.run("CREATE DATABASE \(name)")
        components.path = "/" + name
        url = components.string ?? server
        let own = Self.open(kind, components)
        (pg, my) = (own.pg, own.my)
        (own.pg, own.my) = (nil, nil)  // this instance closes them
        if kind == .mysql { try run("SET time_zone = '+00:00'") }
    }

    /// A connection to an existing PostgreSQL database, as its URL's user.
    public convenience init(connectingTo url: String) throws {
        guard let components = URLComponents(string: url) else {
            throw TestDatabaseError(description: "not a URL: \(url)")
        }
        let opened = Self.open(.postgresql, components)
        self.init(kind: .postgresql, url: url, pg: opened.pg, my: nil)
        opened.pg = nil
    }

    private init(kind: Kind, url: String, pg: OpaquePointer?, my: UnsafeMutablePointer<MYSQL>?) {
        (self.kind, self.url, self.pg, self.my) = (kind, url, pg, my)
    }

    private static func open(_ kind: Kind, _ components: URLComponents) -> ServerDatabase {
        let url = components.string ?? ""
        switch kind {
        case .postgresql:
            return ServerDatabase(kind: kind, url: url, pg: PQconnectdb(url), my: nil)
        case .mysql:
            let handle = mysql_init(nil)
            mysql_real_connect(
                handle, components.host, components.user, components.password,
                String(components.path.dropFirst()), UInt32(components.port ?? 3306), nil, 0)
            mysql_options(handle, MYSQL_SET_CHARSET_NAME, "utf8mb4")
            mysql_set_character_set(handle, "utf8mb4")
            return ServerDatabase(kind: kind, url: url, pg: nil, my: handle)
        }
    }

    deinit {
        if let pg { PQfinish(pg) }
        if let my { mysql_close(my) }
    }

    /// Runs one statement, `?` marking the parameters: `String`, `Int`, `Bool`, `Date` (UTC),
    /// `[String]` (a PostgreSQL text array) or nil.
    public func run(_ sql: String, _ parameters: [Any?] = []) throws {
        switch kind {
        case .postgresql:
            var numbered = ""
            var n = 0
            for c in sql {
                if c == "?" {
                    n += 1
                    numbered += "$\(n)"
                } else {
                    numbered.append(c)
                }
            }
            let texts = parameters.map(Self.postgresText)
            let copies = texts.map { $0.map { strdup($0) } ?? nil }
            defer { copies.forEach { free($0) } }
            var pointers = copies.map { $0.map { UnsafePointer($0) } }
            let result = PQexecParams(pg, numbered, Int32(texts.count), nil, &pointers, nil, nil, 0)
            defer { PQclear(result) }
            let status = PQresultStatus(result)
            guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
                throw TestDatabaseError(description: String(cString: PQresultErrorMessage(result)))
            }
        case .mysql:
            var text = ""
            var remaining = parameters.makeIterator()
            for c in sql {
                if c == "?", let value = remaining.next() { text += mysqlLiteral(value) } else { text.append(c) }
            }
            guard mysql_real_query(my, text, UInt(text.utf8.count)) == 0 else {
                throw TestDatabaseError(description: String(cString: mysql_error(my)))
            }
            if let result = mysql_store_result(my) { mysql_free_result(result) }
        }
    }

    /// `2026-11-26 14:03:40.250000`, UTC.
    public static func timestamp(_ date: Date) -> String {
        let whole = date.timeIntervalSince1970.rounded(.down)
        let text = Date(timeIntervalSince1970: whole).formatted(
            Date.ISO8601FormatStyle(
                dateSeparator: .dash, dateTimeSeparator: .space, timeZone: TimeZone(identifier: "UTC")!
            )
            .year().month().day().time(includingFractionalSeconds: false))
        return text + String(format: ".%06d", Int((date.timeIntervalSince1970 - whole) * 1_000_000))
    }

    /// The first column of the first row of `sql`, or nil for no row or NULL.
    public func value(_ sql: String) throws -> String? {
        switch kind {
        case .postgresql:
            let result = PQexec(pg, sql)
            defer { PQclear(result) }
            guard PQresultStatus(result) == PGRES_TUPLES_OK else {
                throw TestDatabaseError(description: String(cString: PQresultErrorMessage(result)))
            }
            guard PQntuples(result) > 0, PQgetisnull(result, 0, 0) == 0 else { return nil }
            return String(cString: PQgetvalue(result, 0, 0))
        case .mysql:
            guard mysql_real_query(my, sql, UInt(sql.utf8.count)) == 0, let result = mysql_store_result(my) else {
                throw TestDatabaseError(description: String(cString: mysql_error(my)))
            }
            defer { mysql_free_result(result) }
            guard let row = mysql_fetch_row(result), let first = row[0] else { return nil }
            return String(cString: first)
        }
    }

    private static func postgresText(_ value: Any?) -> String? {
        switch value {
        case nil, is NSNull: return nil
        case let date as Date: return Self.timestamp(date) + "+00"
        case let flag as Bool: return flag ? "t" : "f"
        case let list as [String]:
            return "{"
                + list.map {
                    "\""
                        + $0.replacingOccurrences(of: "\\", with: "\\\\")
                        .replacingOccurrences(of: "\"", with: "\\\"") + "\""
                }.joined(separator: ",") + "}"
        case let value?: return "\(value)"
        }
    }

    private func mysqlLiteral(_ value: Any?) -> String {
        switch value {
        case nil, is NSNull: return "NULL"
        case let flag as Bool: return flag ? "1" : "0"
        case let number as Int: return String(number)
        case let date as Date: return mysqlLiteral(Self.timestamp(date))
        case let value?:
            let text = "\(value)"
            var escaped = [CChar](repeating: 0, count: text.utf8.count * 2 + 1)
            let length = Int(mysql_real_escape_string(my, &escaped, text, UInt(text.utf8.count)))
            return "'" + String(decoding: escaped.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self) + "'"
        }
    }

    /// The sample corpus in a plain `articles` table (PostgreSQL: tags as `text[]`), with
    /// `updated_at` and `withdrawn` for a sync.
    public static func plainTable(_ kind: Kind, articles: [Article]) throws -> ServerDatabase {
        let database = try ServerDatabase(kind)
        let time = kind == .postgresql ? "timestamptz" : "datetime(6)"
        let tags = kind == .postgresql ? "text[]" : "text"
        try database.run(
            """
            CREATE TABLE articles (id varchar(200) PRIMARY KEY, title text, body text, url text,
              published_at \(time) NULL, section text, language varchar(35), tags \(tags),
              updated_at \(time) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), withdrawn boolean NOT NULL DEFAULT false)
            """)
        for article in articles { try database.put(article) }
        return database
    }

    /// Inserts or replaces a row of the plain table, `updated_at` the database's now.
    public func put(_ article: Article, withdrawn: Bool = false) throws {
        let tags: Any = kind == .postgresql ? article.tags : article.tags.joined(separator: ", ")
        let values: [Any?] = [
            article.id, article.title, article.body, article.url, article.publishedAt, article.section,
            article.language, tags, withdrawn,
        ]
        let columns = "id, title, body, url, published_at, section, language, tags, withdrawn"
        switch kind {
        case .postgresql:
            try run(
                "INSERT INTO articles (\(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                    + "title = EXCLUDED.title, body = EXCLUDED.body, withdrawn = EXCLUDED.withdrawn, updated_at = clock_timestamp()",
                values)
        case .mysql:
            try run(
                "REPLACE INTO articles (\(columns), updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6))",
                values)
        }
    }
}
