import DatabaseTestSupport
import Foundation
import KindredEncoder
import KindredEngine
import KindredServer
import Logging
import Testing

@testable import KindredSources

/// Replicas on one PostgreSQL journal and a model with the semantic channel: the replica that
/// takes a write embeds it, and the others read its meaning from the journal's entry.
@Suite("meaning through a shared journal", .enabled(if: TestServers.available), .serialized)
struct SharedJournalMeaningTests {
    static let encoderDirectory = SQLiteSourceTests.root.appendingPathComponent("models/encoders/all-MiniLM-L6-v2").path

    @Test("a write and a sync's batch carry their meaning to a replica without an encoder, and to its restart")
    func meaningReachesTheOtherReplicas() async throws {
        let encoder = try SentenceEncoder(directory: Self.encoderDirectory)
        var builder = ModelBuilder()
        builder.semantic = SemanticBuild(encoder: encoder, maxTokens: 64)
        let model = try builder.build(SQLiteSourceTests.corpus).model
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kindred-meaning-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try ModelDirectory(path: directory).publish(model)
        let database = try ServerDatabase(.postgresql)
        func replica() throws -> ModelStore {
            try ModelStore(
                directory: directory, logger: Logger(label: "test"),
                journal: PostgreSQLJournal(url: SourceURL(database.url)))
        }
        let writer = try replica(), reader = try replica()
        writer.encoder = encoder
        let source = try #require(SQLiteSourceTests.corpus.first { $0.language == "en" })
        try await writer.upsert(ReceivedArticle(text: Article(id: "copy", title: source.title, body: source.body)))
        _ = try await writer.apply([
            SourceChange(
                id: "synced", updatedAt: Date(),
                operation: .put(
                    ReceivedArticle(text: Article(id: "synced", title: source.title, body: "A short note."))))
        ])
        try await reader.catchUp()
        for id in ["copy", "synced"] {
            let written = writer.current.upserts.first { $0.metadata.id == id }?.meaning
            #expect(written != nil, "\(id)")
            #expect(reader.current.upserts.first { $0.metadata.id == id }?.meaning == written, "\(id)")
            #expect(try replica().current.upserts.first { $0.metadata.id == id }?.meaning == written, "\(id)")
        }
        // The copy's meaning is its source's: the same text, the same vector.
        let row = try #require(model.row(of: source.id))
        let meaning = try #require(writer.current.upserts.first { $0.metadata.id == "copy" }?.meaning)
        #expect(try #require(model.semantic?.cosine(meaning, row: row)) > 0.999)
    }
}
