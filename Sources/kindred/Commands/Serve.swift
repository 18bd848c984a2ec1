import ArgumentParser
import Foundation
import Hummingbird
import KindredEncoder
import KindredEngine
import KindredLinearAlgebra
import KindredServer
import KindredSources
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve related articles over HTTP (JSON API under /v1).",
        discussion: """
            Loads the newest model of the model directory, re-applies its journal (articles PUT or \
            DELETEd since the model was built), and answers until SIGTERM or SIGINT, finishing the \
            requests in flight. SIGHUP or POST /admin/reload switches to the newest model without \
            downtime; an invalid model is refused and the old one keeps serving.

            Examples:
              kindred serve                    # the bundled model, on 127.0.0.1:8080
              kindred serve --model /var/lib/kindred/models --port 9000
              curl 'http://127.0.0.1:8080/v1/articles/leica-red-dot-leitzphone/related?k=3'

            The API is described at /openapi.json; metrics are at /metrics.

            With --source and --sync-query the server also reads the publisher's database every \
            --sync-interval seconds and applies the rows changed since the last read as PUTs \
            (DELETEs for rows whose withdrawn column is true), through the journal like the API's \
            writes. The query binds :since to the watermark kept in sync-state.json in the model \
            directory, so a restart neither misses nor repeats changes; a database that is down \
            only delays them. docs/sources.md has ready queries.
              kindred serve --source postgresql://kindred@db.internal/cms \\
                --sync-query "SELECT *, false AS withdrawn FROM articles WHERE updated_at >= :since"
            """)

    @OptionGroup(title: "Semantic channel (drafts are embedded when the model has the channel)")
    var encoderOptions: EncoderOptions

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var searchOptions: SearchOptions

    @Option(help: "Address to bind. The default keeps the server private to this machine.")
    var host: String = ServerConfiguration.defaultHost

    @Option(help: "TCP port.")
    var port: Int = ServerConfiguration.defaultPort

    @Option(name: .customLong("max-body-bytes"), help: "Largest request body accepted (bytes).")
    var maximumBodyBytes: Int = ServerConfiguration.defaultMaximumBodyBytes

    @Option(
        name: .customLong("admin-token"),
        help: ArgumentHelp(
            "Require 'Authorization: Bearer <token>' on PUT, DELETE and /admin/reload.",
            discussion:
                "Default: $KINDRED_ADMIN_TOKEN when set; otherwise those routes are open (the server binds 127.0.0.1).")
    )
    var adminToken: String?

    @Option(
        name: .customLong("request-timeout"),
        help: ArgumentHelp("Longest a request may take before a 503 (seconds).", valueName: "seconds"))
    var requestTimeout: Double = ServerConfiguration.defaultRequestTimeout

    @Option(
        name: .customLong("idle-timeout"),
        help: ArgumentHelp(
            "Seconds a connection may stay idle, or take to send its headers, before it is closed.",
            valueName: "seconds"))
    var idleTimeout: Double = ServerConfiguration.defaultIdleTimeout

    @Option(
        name: .customLong("allowed-host"),
        help: ArgumentHelp(
            "A name clients may reach this server by (repeatable), checked against each request's Host header.",
            discussion:
                "A server bound to loopback answers only to 127.0.0.1, localhost and [::1] by default (a guard against DNS rebinding); add the names a proxy or the console's users give. Bound to another address, Host is checked only when names are given.",
            valueName: "name"))
    var allowedHosts: [String] = []

    @Option(
        name: .customLong("max-journal-entries"),
        help: "Writes accepted between reindexes; beyond, PUT and DELETE get a 503 asking for a reindex.")
    var maximumJournalEntries: Int = ServerConfiguration.defaultMaximumJournalEntries

    @OptionGroup var journalOptions: JournalOptions

    @OptionGroup var sourceOptions: SourceOptions

    @Option(
        name: .customLong("sync-query"),
        help: ArgumentHelp(
            "SQL returning the articles changed since :since, with updated_at and an optional withdrawn column.",
            discussion: "Needs --source. Rows are read like reindex's, plus updated_at (a timestamp).",
            valueName: "sql"))
    var syncQuery: String?

    @Option(
        name: .customLong("sync-interval"),
        help: ArgumentHelp("Seconds between syncs; failed ones are retried with backoff.", valueName: "seconds"))
    var syncInterval: Double = SourceSync.defaultInterval

    @Option(
        name: .customLong("sync-overlap"),
        help: ArgumentHelp(
            "Seconds each sync reads back before its watermark, for rows committed late; rows already applied are skipped.",
            valueName: "seconds"))
    var syncOverlap: Double = SourceSync.defaultOverlap

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    @Flag(
        name: .customLong("access-log"),
        help:
            "Log a line per request (method, path, status, latency) at info. Off by default: /metrics counts and times every request."
    )
    var accessLog = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0–65535; got \(port)") }
        guard maximumBodyBytes >= 1024 else { throw ValidationError("--max-body-bytes must be at least 1024") }
        if let adminToken, adminToken.count < 16 {
            throw ValidationError(
                "--admin-token must be at least 16 characters; generate one with 'openssl rand -hex 24'")
        }
        if let variable = ProcessInfo.processInfo.environment["KINDRED_ADMIN_TOKEN"], adminToken == nil {
            guard !variable.isEmpty else {
                throw ValidationError(
                    "KINDRED_ADMIN_TOKEN is set but empty, which would leave writes open: unset it, or set a token of at least 16 characters ('openssl rand -hex 24')"
                )
            }
            guard variable.count >= 16 else {
                throw ValidationError(
                    "KINDRED_ADMIN_TOKEN must be at least 16 characters; generate one with 'openssl rand -hex 24'")
            }
        }
        let longest = ServerConfiguration.longestTimeout
        guard requestTimeout > 0, requestTimeout <= longest else {
            throw ValidationError(
                "--request-timeout must be a number of seconds above 0 and at most \(Int(longest)); got \(requestTimeout)"
            )
        }
        guard idleTimeout >= 1, idleTimeout <= longest else {
            throw ValidationError(
                "--idle-timeout must be a number of seconds from 1 to \(Int(longest)); got \(idleTimeout)")
        }
        if let blank = allowedHosts.first(where: { $0.isEmpty || $0.contains(where: { $0 == "/" || $0 == " " }) }) {
            throw ValidationError("--allowed-host takes a host name such as news.example.com; got '\(blank)'")
        }
        guard maximumJournalEntries >= 1 else {
            throw ValidationError("--max-journal-entries must be at least 1; got \(maximumJournalEntries)")
        }
        guard (sourceOptions.source == nil) == (syncQuery == nil) else {
            throw ValidationError("--source and --sync-query go together: the query says what changed in the source")
        }
        // A day: a longer interval is a mistake (1e16 seconds overflowed the sleep and crashed
        // the server), and a nightly reindex covers what a daily sync would.
        let day = 86_400.0
        guard syncInterval >= 0.1, syncInterval <= day else {
            throw ValidationError("--sync-interval must be from 0.1 to \(Int(day)) seconds; got \(syncInterval)")
        }
        guard syncOverlap >= 0, syncOverlap <= day else {
            throw ValidationError("--sync-overlap must be from 0 to \(Int(day)) seconds; got \(syncOverlap)")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    func run() async throws {
        FreedMemory.mapBlocks(atLeast: 1 << 20)
        FreedMemory.keepFree(upTo: 64 << 20)
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "kindred")
        logger.logLevel = level
        let backend = BLASBackend.current
        logger.info("BLAS", metadata: ["backend": "\(backend.summary)"])
        if let warning = backend.warning { logger.warning("\(warning)") }

        let token =
            adminToken ?? ProcessInfo.processInfo.environment["KINDRED_ADMIN_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        if token == nil && host != "127.0.0.1" && host != "localhost" && host != "::1" {
            logger.warning(
                "binding \(host) without an admin token: anyone who reaches the port can change the index; set --admin-token"
            )
        }
        var configuration = ServerConfiguration(
            host: host, port: port, modelDirectory: modelOptions.directory, maximumBodyBytes: maximumBodyBytes,
            logLevel: level, adminToken: token, requestTimeout: requestTimeout,
            maximumJournalEntries: maximumJournalEntries, idleTimeout: idleTimeout, allowedHosts: allowedHosts)
        configuration.accessLog = accessLog
        let store = try ModelStore(
            directory: configuration.modelDirectory, logger: logger,
            maximumJournalEntries: configuration.maximumJournalEntries,
            journal: try journalOptions.journal(for: modelOptions),
            search: searchOptions.settings)
        configuration.encoder = try encoderOptions.draftEncoder(for: store.current.model)
        let location = encoderOptions.location
        configuration.encoderDirectory = location.exists ? URL(fileURLWithPath: location.path).path : nil
        logger.info(
            "search",
            metadata: [
                "cpu": "\(CPUClass.current.summary)", "blas": "\(BLASBackend.current.summary)",
                "candidates": "\(store.current.model.index.candidateStage)",
                "semantic": "\(store.current.model.semanticSummary)",
            ])
        var sync: SourceSync?
        if let url = try sourceOptions.url(), let syncQuery {
            let feed = try DatabaseChangeFeed(url: url, query: syncQuery)
            sync = SourceSync(store: store, feed: feed, interval: syncInterval, overlap: syncOverlap, logger: logger)
        }
        let app = buildApplication(store: store, configuration: configuration, logger: logger, sync: sync)
        try await app.runService()
    }
}
