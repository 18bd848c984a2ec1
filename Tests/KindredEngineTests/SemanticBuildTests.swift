import Foundation
import KindredEncoder
import KindredLinearAlgebra
import Testing

@testable import KindredEngine

/// A build with a sentence encoder: each covered article's vector is the encoder's for its title
/// and body, the model file keeps them, and the next build reuses the unchanged ones.
@Suite struct SemanticBuildTests {
    static let encoder: SentenceEncoder? = try? SentenceEncoder(
        directory: Checkout.root.appendingPathComponent("models/encoders/all-MiniLM-L6-v2").path)

    static func loaded() throws -> SentenceEncoder {
        guard let encoder else { throw SemanticTestFailure("no encoder: run scripts/fetch-encoder.sh") }
        return encoder
    }

    static func build(_ articles: [Article], cache: SemanticCache = SemanticCache(nil)) throws -> ModelBuilder.Outcome {
        var builder = ModelBuilder()
        builder.semantic = SemanticBuild(encoder: try loaded(), maxTokens: 64, cache: cache)
        return try builder.build(articles)
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    @Test func vectorsAreTheEncodersForCoveredArticlesAndZeroElsewhere() throws {
        let encoder = try Self.loaded()
        let articles = Array(Sample.articles.prefix(24))
        let outcome = try Self.build(articles)
        let semantic = try #require(outcome.model.semantic)
        #expect(semantic.encoder == encoder.identity)
        #expect(semantic.maxTokens == 64)
        let english = articles.filter { $0.language.hasPrefix("en") }.count
        #expect(
            outcome.semanticCounts
                == SemanticBuild.Counts(embedded: english, reused: 0, uncovered: articles.count - english))
        for (i, article) in articles.enumerated() {
            let row = try #require(outcome.model.row(of: article.id))
            let stored = semantic.vectors.row(row)
            if article.language.hasPrefix("en") {
                let direct = encoder.encode(
                    [SentenceEncoder.input(title: article.title, body: article.body)], maxTokens: 64)
                #expect(Self.cosine(stored, direct.row(0)) > 0.9999, "article \(i)")
            } else {
                #expect(stored.allSatisfy { $0 == 0 }, "\(article.id) is \(article.language)")
                #expect(semantic.digests[row] == .none)
            }
        }
    }

    @Test func theModelFileKeepsTheVectorsAndDigests() throws {
        let model = try Self.build(Array(Sample.articles.prefix(12))).model
        let directory = try temporaryDirectory()
        defer { cleanUp(directory) }
        let published = try ModelDirectory(path: directory).publish(model)
        let read = try ModelDirectory.loadModel(at: published)
        let semantic = try #require(model.semantic), again = try #require(read.semantic)
        #expect(again.vectors == semantic.vectors)
        #expect(again.digests == semantic.digests)
        #expect(again.encoder == semantic.encoder)
        let alone = try ModelFile.readSemanticVectors(file: published + "/" + ModelDirectory.modelFileName)
        #expect(alone?.vectors == semantic.vectors)
        #expect(read.semanticSummary.hasPrefix("on (all-MiniLM-L6-v2, checksum "))
    }

    @Test func aModelWithoutAnEncoderSaysHowToTurnItOn() throws {
        let directory = try temporaryDirectory()
        defer { cleanUp(directory) }
        let published = try ModelDirectory(path: directory).publish(Sample.model)
        let read = try ModelDirectory.loadModel(at: published)
        #expect(read.semantic == nil)
        #expect(read.semanticSummary.hasPrefix("off (") && read.semanticSummary.contains("--encoder"))
        #expect(try ModelFile.readSemanticVectors(file: published + "/" + ModelDirectory.modelFileName) == nil)
    }

    @Test func theNextBuildEmbedsOnlyChangedArticles() throws {
        var articles = Array(Sample.articles.filter { $0.language.hasPrefix("en") }.prefix(20))
        let first = try Self.build(articles)
        articles[3].body += " A late correction adds a paragraph."
        articles.append(
            Article(id: "semantic-new", title: "A new article about phones", body: "Cameras and batteries."))
        let second = try Self.build(articles, cache: SemanticCache(first.model.semantic))
        #expect(second.semanticCounts == SemanticBuild.Counts(embedded: 2, reused: 19, uncovered: 0))
        let before = try #require(first.model.semantic), after = try #require(second.model.semantic)
        for article in articles where article.id != articles[3].id && article.id != "semantic-new" {
            let old = first.model.row(of: article.id)!, new = second.model.row(of: article.id)!
            #expect(before.vectors.row(old) == after.vectors.row(new))
        }
        let changed = second.model.row(of: articles[3].id)!, original = first.model.row(of: articles[3].id)!
        #expect(after.digests[changed] != before.digests[original])
    }

    @Test func anotherWordPieceLimitIsNotReused() throws {
        let articles = Array(Sample.articles.filter { $0.language.hasPrefix("en") }.prefix(8))
        let first = try Self.build(articles)
        var builder = ModelBuilder()
        builder.semantic = SemanticBuild(
            encoder: try Self.loaded(), maxTokens: 32, cache: SemanticCache(first.model.semantic))
        #expect(try builder.build(articles).semanticCounts?.reused == 0)
    }
}

struct SemanticTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A version-8 file (before the semantic channel) still loads, as a model without it.
@Suite struct FormatEightTests {
    /// The sample model's file as Kindred 8 wrote it: the same sections but `SEMV`, version 8.
    static func versionEightBytes() throws -> Data {
        let current = try ModelFile.encode(Sample.model)
        let entrySize = 4 + 8 + 8 + 16
        var header = Data(current.prefix(16))
        let count = Int(current[12]) | Int(current[13]) << 8
        var semanticOffset = current.count
        for entry in 0..<count {
            let start = 16 + entry * entrySize
            let bytes = current[start..<(start + entrySize)]
            if String(decoding: bytes.prefix(4), as: UTF8.self) == "SEMV" {
                semanticOffset = bytes.dropFirst(4).prefix(8).enumerated().reduce(0) {
                    $0 | Int($1.element) << (8 * $1.offset)
                }
            } else {
                header.append(bytes)
            }
        }
        header[8] = 8
        header[12] = UInt8(count - 1)
        header.append(contentsOf: Checksum.of(header))
        header.append(Data(count: ModelFile.headerSize - header.count))
        return header + current[ModelFile.headerSize..<semanticOffset]
    }

    @Test func aVersionEightFileLoadsWithoutTheChannel() throws {
        let bytes = try Self.versionEightBytes()
        let model = try ModelFile.decode(bytes, file: "v8.kdm")
        #expect(model.semantic == nil)
        #expect(model.articles.count == Sample.model.articles.count)
        #expect(model.semanticSummary.hasPrefix("off ("))
        var damaged = bytes
        damaged[8] = 7
        #expect(throws: ModelFileError.self) { try ModelFile.decode(damaged, file: "v7.kdm") }
    }
}
