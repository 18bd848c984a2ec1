import Foundation
import Hummingbird
import HummingbirdTesting
import KindredAPI
import KindredEngine
import Logging

@testable import KindredServer

enum Fixture {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let articles: [Article] = try! CorpusReader().read(path: root.appendingPathComponent("corpus").path).articles

    static let model: Model = try! ModelBuilder().build(articles).model

    static var logger: Logger {
        var logger = Logger(label: "kindred-test")
        logger.logLevel = .critical
        return logger
    }

    /// A model directory in a fresh temporary folder, holding the sample model.
    static func modelDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kindred-server-\(UUID().uuidString)")
            .path
        try ModelDirectory(path: path).publish(model)
        return path
    }

    static func application(directory: String, configuration: ServerConfiguration? = nil) throws -> (
        some ApplicationProtocol, ModelStore
    ) {
        let configuration = configuration ?? ServerConfiguration(port: 0, modelDirectory: directory)
        let store = try ModelStore(
            directory: directory, logger: logger, maximumJournalEntries: configuration.maximumJournalEntries)
        return (buildApplication(store: store, configuration: configuration, logger: logger), store)
    }
}

extension Fixture {
    /// Runs `body` against a fresh server on the sample model (in a temporary model directory that
    /// is removed afterwards), through the router, with the server's store and directory.
    static func withServer(
        maximumBodyBytes: Int = 1 << 20, adminToken: String? = nil, requestTimeout: Double = 10,
        maximumJournalEntries: Int = 100_000,
        _ body: @escaping @Sendable (any TestClientProtocol, ModelStore, String) async throws -> Void
    ) async throws {
        let directory = try modelDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = ServerConfiguration(
            port: 0, modelDirectory: directory, maximumBodyBytes: maximumBodyBytes, adminToken: adminToken,
            requestTimeout: requestTimeout, maximumJournalEntries: maximumJournalEntries)
        let (app, store) = try application(directory: directory, configuration: configuration)
        try await app.test(.router) { client in try await body(client, store, directory) }
    }
}

extension TestResponse {
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }

    var resultIDs: [String] {
        (json["results"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    var text: String { String(buffer: body) }
}

func jsonBody(_ object: Any) -> ByteBuffer {
    ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: object))
}

let jsonHeaders: HTTPFields = [.contentType: "application/json"]

/// What a test's requests answered, appended from the test client's `@Sendable` closures.
final class Collected<Item>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Item] = []

    func append(_ item: Item) { lock.withLock { items.append(item) } }

    var all: [Item] { lock.withLock { items } }
}
