import Foundation
import Testing

@testable import KindredSources

@Suite("what the drivers read and bind")
struct SourceTextTests {
    @Test(
        "the :since placeholder is found outside strings, identifiers, comments and casts",
        arguments: [
            ("SELECT * FROM a WHERE updated_at >= :since", "SELECT * FROM a WHERE updated_at >= $1"),
            ("SELECT * FROM a WHERE t >= :SINCE OR u >= :since", "SELECT * FROM a WHERE t >= $1 OR u >= $1"),
            ("SELECT ':since', \":since\", `:since` FROM a", "SELECT ':since', \":since\", `:since` FROM a"),
            (
                "SELECT 'it''s :since' -- :since\nFROM a /* :since */ WHERE x > :since",
                "SELECT 'it''s :since' -- :since\nFROM a /* :since */ WHERE x > $1"
            ),
            ("SELECT x::since, :sincere FROM a", "SELECT x::since, :sincere FROM a"),
            ("SELECT 'a\\':since' FROM a WHERE b = :since", "SELECT 'a\\':since' FROM a WHERE b = $1"),
        ])
    func placeholders(sql: String, bound: String) {
        #expect(SourceQuery(sql).replacingPlaceholders(with: "$1") == bound)
    }

    @Test(
        "database timestamps are read in UTC unless they carry an offset",
        arguments: [
            ("2026-11-26 14:03:40", 1_795_701_820.0),
            ("2026-11-26T14:03:40Z", 1_795_701_820.0),
            ("2026-11-26 14:03:40.25", 1_795_701_820.25),
            ("2026-11-26 14:03:40.123456+00", 1_795_701_820.123456),
            ("2026-11-26 16:03:40+02", 1_795_701_820.0),
            ("2026-11-26 09:33:40-04:30", 1_795_701_820.0),
            ("2026-11-26", 1_795_651_200.0),
        ])
    func timestamps(text: String, seconds: Double) throws {
        let date = try #require(DatabaseTimestamp.parse(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 1e-5)
    }

    @Test(
        "a zero date, a bad month or trailing text is no timestamp",
        arguments: [
            "0000-00-00 00:00:00", "2026-13-01 00:00:00", "2026-11-26 14:03:40 UTC", "yesterday", "",
        ])
    func notTimestamps(text: String) {
        #expect(DatabaseTimestamp.parse(text) == nil)
    }

    @Test("the bound watermark is UTC, whole seconds")
    func format() {
        #expect(DatabaseTimestamp.format(Date(timeIntervalSince1970: 1_795_701_820.9)) == "2026-11-26 14:03:40")
    }

    @Test(
        "PostgreSQL arrays: quoting, escapes, NULL elements",
        arguments: [
            ("{}", [String]()),
            ("{Xiaomi,Leica}", ["Xiaomi", "Leica"]),
            ("{\"red dot\",\"say \\\"hi\\\"\",NULL,\"NULL\"}", ["red dot", "say \"hi\"", "NULL"]),
        ])
    func arrays(text: String, elements: [String]) {
        #expect(PostgreSQLArray.parse(text) == elements)
    }

    @Test("a URL's password is never shown, and comes from a file or the environment when the URL has none")
    func passwords() throws {
        let inURL = try SourceURL("postgresql://reader:s3cret@db:5432/news")
        #expect(inURL.redacted == "postgresql://reader:***@db:5432/news" && inURL.password == "s3cret")
        #expect(inURL.redacting("password s3cret refused") == "password *** refused")
        let fromEnvironment = try SourceURL(
            "mysql://reader@db/news", environment: ["KINDRED_SOURCE_PASSWORD": "env-pw"])
        #expect(fromEnvironment.password == "env-pw" && fromEnvironment.redacted == "mysql://reader@db/news")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kindred-pw-\(UUID().uuidString)").path
        try "file-pw\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(try SourceURL("mysql://reader@db/news", passwordFile: file, environment: [:]).password == "file-pw")
        #expect(throws: SourceError.self) { try SourceURL("mysql://reader@db/news", passwordFile: file + ".missing") }
    }

    @Test("a password given as ?password= is redacted; an unencoded '@' is refused without printing any of it")
    func passwordsElsewhere() throws {
        let query = try SourceURL("postgresql://reader@db/news?sslmode=require&password=hunter2-secret")
        #expect(!query.redacted.contains("hunter2") && query.redacted.contains("password=***"))
        #expect(query.redacted.contains("sslmode=require"))
        #expect(query.redacting("FATAL: password hunter2-secret refused") == "FATAL: password *** refused")
        let error = #expect(throws: SourceError.self) { try SourceURL("postgresql://reader:p@ss-word@db/news") }
        #expect(error?.description.contains("ss-word") == false, "\(String(describing: error))")
        #expect(error?.description.contains("%40") == true)
    }
}
