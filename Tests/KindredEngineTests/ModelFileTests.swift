import Foundation
import Testing

@testable import KindredEngine

@Suite("Model file")
struct ModelFileTests {
    let model = Sample.model
    var encoded: Data { try! ModelFile.encode(model) }

    func fail(_ section: ModelFile.Section?, _ reason: String) -> ModelFileError {
        ModelFileError(file: "t", section: section?.name, reason: reason)
    }

    @Test("a model survives encode and decode unchanged, invariants included")
    func roundTrip() throws {
        let decoded = try ModelFile.decode(encoded, file: "model.kdm")
        #expect(decoded.manifest == model.manifest)
        #expect(decoded.weighting == model.weighting)
        #expect(decoded.termVectors == model.termVectors)
        #expect(decoded.singularValues == model.singularValues)
        #expect(decoded.index.vectors == model.index.vectors)
        #expect(decoded.articles == model.articles)
        #expect(decoded.neighborLists == model.neighborLists)
        #expect(decoded.tfidfRows == model.tfidfRows)
        #expect(decoded.headlineRows == model.headlineRows)
        try decoded.checkInvariants()
        #expect(
            try decoded.related(to: "leica-red-dot-leitzphone", k: 5)
                == model.related(to: "leica-red-dot-leitzphone", k: 5))
    }

    /// The two ways a model file is decoded: from bytes in memory, and from a file on disk one
    /// section at a time (what `ModelDirectory` loads with).
    enum Loader: CaseIterable, Sendable {
        case memory, file
        /// Decodes `data` as a file named (or written to a temporary file ending in) `name`;
        /// returns the name errors should carry.
        func load(_ data: Data, name: String) throws -> (model: Model?, name: String, error: ModelFileError?) {
            switch self {
            case .memory:
                do { return (try ModelFile.decode(data, file: name), name, nil) } catch let error as ModelFileError {
                    return (nil, name, error)
                }
            case .file:
                let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                    "kindred-modelfile-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: directory) }
                let path = directory.appendingPathComponent(name.replacingOccurrences(of: "/", with: "-")).path
                try data.write(to: URL(fileURLWithPath: path))
                do { return (try ModelFile.read(file: path), path, nil) } catch let error as ModelFileError {
                    return (nil, path, error)
                }
            }
        }
    }

    @Test("a model read from a file section by section equals the model it was written from")
    func readFromFile() throws {
        let (decoded, _, error) = try Loader.file.load(encoded, name: "model.kdm")
        #expect(error == nil)
        let loaded = try #require(decoded)
        #expect(loaded.manifest == model.manifest && loaded.termVectors == model.termVectors)
        #expect(loaded.index.vectors == model.index.vectors && loaded.tfidfRows == model.tfidfRows)
        #expect(loaded.neighborLists == model.neighborLists && loaded.articles == model.articles)
        #expect(
            try loaded.related(to: "leica-red-dot-leitzphone", k: 5)
                == model.related(to: "leica-red-dot-leitzphone", k: 5))
    }

    @Test(
        "a flipped byte in any section is refused, naming the file and that section",
        arguments: Loader.allCases, ModelFile.Section.allCases)
    func flippedByte(loader: Loader, section: ModelFile.Section) throws {
        var data = encoded
        let entry = try #require(try ModelFile.readTable(data, fileSize: data.count, fail: fail)[section])
        data[entry.offset + entry.length / 2] ^= 0x5A
        let (decoded, name, error) = try loader.load(data, name: "m/model.kdm")
        #expect(decoded == nil)
        #expect(error?.file == name)
        #expect(error?.section == section.name)
        #expect(error?.reason.contains("bad checksum") == true)
    }

    @Test("truncation anywhere is refused, never a crash", arguments: Loader.allCases)
    func truncation(loader: Loader) throws {
        let data = encoded
        let table = try ModelFile.readTable(data, fileSize: data.count, fail: fail)
        var cuts = [0, 5, 12, 40, 200, data.count - 1]
        for entry in table.values { cuts += [entry.offset, entry.offset + entry.length / 2] }
        for cut in cuts where cut < data.count {
            let (decoded, _, error) = try loader.load(data.prefix(cut), name: "x")
            #expect(decoded == nil)
            #expect(error?.reason.isEmpty == false)
        }
    }

    @Test("wrong magic, wrong version and a damaged table are told apart")
    func header() throws {
        var data = encoded
        data[0] = UInt8(ascii: "X")
        #expect(
            (#expect(throws: ModelFileError.self) { try ModelFile.decode(data, file: "x") })?.reason.contains(
                "wrong magic") == true)
        data = encoded
        data[8] = 99
        #expect(
            (#expect(throws: ModelFileError.self) { try ModelFile.decode(data, file: "x") })?.reason.contains(
                "format version 99") == true)
        data = encoded
        data[16 + 36 + 20] ^= 0x01  // inside the second entry's checksum field
        #expect(
            (#expect(throws: ModelFileError.self) { try ModelFile.decode(data, file: "x") })?.reason.contains(
                "section table") == true)
    }

    @Test("random damage never crashes the loader: it is refused with a model-file error, or changed nothing")
    func randomDamage() throws {
        var generator = SeededGeneratorForTests(seed: 99)
        let original = encoded
        var refused = 0
        for round in 0..<200 {
            var data = original
            for _ in 0..<3 {
                data[Int(generator.next() % UInt64(data.count))] = UInt8(truncatingIfNeeded: generator.next())
            }
            do {
                let decoded = try ModelFile.decode(data, file: "x")
                // Accepted only when the damage left the model as it was (a byte written back
                // unchanged, or padding outside every section).
                #expect(
                    decoded.articles == model.articles && decoded.index.vectors == model.index.vectors, "round \(round)"
                )
                #expect(
                    decoded.neighborLists == model.neighborLists && decoded.tfidfRows == model.tfidfRows,
                    "round \(round)")
            } catch is ModelFileError {
                refused += 1
            } catch {
                Issue.record("round \(round): \(error) is not a ModelFileError")
            }
        }
        #expect(refused > 190, "\(refused) of 200 damaged files refused")
    }
}

/// A tiny seeded generator so failures repeat.
struct SeededGeneratorForTests {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Model directory")
struct ModelDirectoryTests {
    @Test("publish writes a version with both files, and load reads the newest")
    func publishAndLoad() throws {
        let root = try temporaryDirectory()
        defer { cleanUp(root) }
        let directory = ModelDirectory(path: root + "/models")
        let first = try directory.publish(Sample.model)
        let second = try directory.publish(Sample.model)
        #expect(first != second)
        #expect(FileManager.default.fileExists(atPath: second + "/model.kdm"))
        #expect(FileManager.default.fileExists(atPath: second + "/manifest.json"))
        let loaded = try directory.load()
        #expect(loaded.path == second)
        #expect(loaded.model.manifest == Sample.model.manifest)
        // A version directory can be loaded directly (a pinned version).
        #expect(try ModelDirectory(path: first).load().path == first)
    }

    @Test("only the newest versions are kept")
    func prune() throws {
        let root = try temporaryDirectory()
        defer { cleanUp(root) }
        let directory = ModelDirectory(path: root)
        for _ in 0..<4 { try directory.publish(Sample.model, keep: 2) }
        #expect(directory.versions().count == 2)
    }

    @Test("versions built in the same second sort by their suffix's number, newest last")
    func sameSecondVersions() throws {
        let root = try temporaryDirectory()
        defer { cleanUp(root) }
        let directory = ModelDirectory(path: root)
        // Sample.model has one build time: every publish is "the same second".
        var published: [String] = []
        for _ in 0..<11 {
            published.append((try directory.publish(Sample.model, keep: 20) as NSString).lastPathComponent)
        }
        #expect(published.last?.hasSuffix("-11") == true)
        #expect(directory.versions() == published)
        #expect(try directory.load().path.hasSuffix("-11"))
    }

    @Test("a left-over incoming directory is never loaded and is cleaned by the next publish")
    func staleIncoming() throws {
        let root = try temporaryDirectory()
        defer { cleanUp(root) }
        let directory = ModelDirectory(path: root)
        let good = try directory.publish(Sample.model)
        // A reindex killed mid-write leaves this behind (pid 2^22 + 1 can't be running).
        let stale = root + "/.incoming-29991231T000000Z-4194305"
        try FileManager.default.createDirectory(atPath: stale, withIntermediateDirectories: false)
        try Data("partial".utf8).write(to: URL(fileURLWithPath: stale + "/model.kdm"))
        #expect(try directory.load().path == good)
        try directory.publish(Sample.model)
        #expect(!FileManager.default.fileExists(atPath: stale))
    }

    @Test("an empty or missing directory says how to build a model")
    func empty() throws {
        let root = try temporaryDirectory()
        defer { cleanUp(root) }
        let error = #expect(throws: ModelFileError.self) { try ModelDirectory(path: root).load() }
        #expect(error?.reason.contains("kindred reindex") == true)
        #expect(throws: ModelFileError.self) { try ModelDirectory(path: root + "/missing").load() }
    }

    @Test("a manifest.json that disagrees with the binary is refused, naming manifest.json")
    func manifestMismatch() throws {
        let root = try temporaryDirectory()
        defer { cleanUp(root) }
        let version = try ModelDirectory(path: root).publish(Sample.model)
        var manifest = Sample.model.manifest
        manifest.articles += 1
        try manifest.encoded().write(to: URL(fileURLWithPath: version + "/manifest.json"))
        let error = #expect(throws: ModelFileError.self) { try ModelDirectory(path: root).load() }
        #expect(error?.file.hasSuffix("manifest.json") == true)
    }

    @Test("a damaged newest model fails loudly rather than silently serving an older one")
    func damagedNewest() throws {
        let root = try temporaryDirectory()
        defer { cleanUp(root) }
        let directory = ModelDirectory(path: root)
        try directory.publish(Sample.model)
        let newest = try directory.publish(Sample.model)
        let file = newest + "/model.kdm"
        var data = try Data(contentsOf: URL(fileURLWithPath: file))
        data = data.prefix(data.count / 2)
        try data.write(to: URL(fileURLWithPath: file))
        let error = #expect(throws: ModelFileError.self) { try directory.load() }
        #expect(error?.file == file)
    }
}
