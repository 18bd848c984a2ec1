import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where models live on disk, and how a new one is put there without ever damaging the one in use.
///
/// A model directory holds one subdirectory per built model, named by its UTC build time
/// (`20261125T145000Z`), each with `model.kdm` and `manifest.json`. The newest name is the model
/// to serve. `publish` writes a new model under a hidden temporary name (`.incoming-…`), flushes
/// the files and the directory to disk, and only then renames it to its final name: a reindex
/// killed at any point leaves the previous model untouched and at worst a stray `.incoming-`
/// directory, which the next publish removes. Rolling back is deleting (or moving away) the
/// newest version and reloading.
///
/// A directory that itself holds `model.kdm` is one model, used as it is (a pinned version).
public struct ModelDirectory: Sendable {
    public static let modelFileName = "model.kdm"
    public static let manifestFileName = "manifest.json"
    static let incomingPrefix = ".incoming-"

    public let path: String
    /// How models loaded from here search: exactly, approximately or by their size.
    public var search: SearchSettings

    public init(path: String, search: SearchSettings = SearchSettings()) {
        self.path = path
        self.search = search
    }

    /// The complete versions, oldest first.
    public func versions() -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return [] }
        return names.filter { name in
            !name.hasPrefix(".")
                && FileManager.default.fileExists(atPath: join(path, name, Self.modelFileName))
        }.sorted(by: Self.isOlder)
    }

    /// Orders version names by build time, then by the suffix `publish` gives a second build in
    /// the same second (`…Z`, `…Z-2`, …, `…Z-10`): by number, where plain string order would put
    /// `-10` before `-9`.
    static func isOlder(_ a: String, _ b: String) -> Bool {
        func parts(_ name: String) -> (String, Int) {
            guard let dash = name.lastIndex(of: "-"), let number = Int(name[name.index(after: dash)...]) else {
                return (name, 1)
            }
            return (String(name[..<dash]), number)
        }
        let (left, right) = (parts(a), parts(b))
        return left.0 != right.0 ? left.0 < right.0 : left.1 < right.1
    }

    /// The model directory to load: this one if it holds a model file, else its newest version.
    ///
    /// - Throws: `ModelFileError` when there is none.
    public func newestModelPath() throws -> String {
        if FileManager.default.fileExists(atPath: join(path, Self.modelFileName)) { return path }
        guard let newest = versions().last else {
            let reason =
                FileManager.default.fileExists(atPath: path)
                ? "holds no model; build one with 'kindred reindex --corpus PATH --model \(path)'"
                : "no such directory; build a model with 'kindred reindex --corpus PATH --model \(path)'"
            throw ModelFileError(file: path, section: nil, reason: reason)
        }
        return join(path, newest)
    }

    /// The newest version's semantic vectors as a cache for the next build: empty when there is
    /// no version yet, or it has none. A damaged section is reported by `warn` and treated as
    /// empty: the build then embeds every article, which costs time but not correctness.
    public func semanticCache(warn: (String) -> Void) -> SemanticCache {
        guard let newest = try? newestModelPath() else { return SemanticCache(nil) }
        do {
            return SemanticCache(try ModelFile.readSemanticVectors(file: join(newest, Self.modelFileName)))
        } catch {
            warn("the previous model's semantic vectors can't be reused (\(error)); every article is embedded again")
            return SemanticCache(nil)
        }
    }

    /// Loads and validates the newest model.
    ///
    /// - Returns: the model and the directory it came from.
    /// - Throws: `ModelFileError` naming the file and what is wrong.
    public func load() throws -> (model: Model, path: String) {
        let directory = try newestModelPath()
        return (try Self.loadModel(at: directory, search: search), directory)
    }

    /// Loads one version directory, checking `manifest.json` against the manifest in the binary.
    public static func loadModel(at directory: String, search: SearchSettings = SearchSettings()) throws -> Model {
        let model = try ModelFile.read(file: join(directory, modelFileName), search: search)
        let manifestFile = join(directory, manifestFileName)
        let manifest: Manifest
        do {
            manifest = try Manifest.decode(Data(contentsOf: URL(fileURLWithPath: manifestFile)))
        } catch {
            throw ModelFileError(file: manifestFile, section: nil, reason: "unreadable manifest: \(error)")
        }
        guard manifest == model.manifest else {
            throw ModelFileError(
                file: manifestFile, section: nil,
                reason: "does not match the manifest inside \(modelFileName); the two files come from different builds")
        }
        return model
    }

    /// The journals (`Manifest.journal`) the kept versions were built from.
    public func journalIdentities() -> Set<String> {
        Set(
            versions().compactMap { version -> String? in
                let file = join(join(path, version), Self.manifestFileName)
                let data = try? Data(contentsOf: URL(fileURLWithPath: file))
                return data.flatMap { try? Manifest.decode($0) }?.journal
            })
    }

    /// The lowest journal sequence absorbed by any kept version (0 when one absorbed none): journal
    /// entries after it are still needed by some version, so a rollback to it loses nothing.
    public func lowestAbsorbedJournalSequence() -> Int { absorbedJournalSequences().min() ?? 0 }

    /// The highest journal sequence absorbed by any kept version: a directory's own journal numbers
    /// its next write past it.
    public func highestAbsorbedJournalSequence() -> Int { absorbedJournalSequences().max() ?? 0 }

    private func absorbedJournalSequences() -> [Int] {
        let directories =
            FileManager.default.fileExists(atPath: join(path, Self.modelFileName))
            ? [path] : versions().map { join(path, $0) }
        return directories.map { directory -> Int in
            let data = try? Data(contentsOf: URL(fileURLWithPath: join(directory, Self.manifestFileName)))
            return data.flatMap { try? Manifest.decode($0) }?.journalSequence ?? 0
        }
    }

    /// Writes `model` as a new version, atomically, and keeps only the newest `keep` versions.
    ///
    /// - Returns: the new version's directory.
    /// - Throws: `ModelFileError` when a file can't be written; nothing visible changes then.
    @discardableResult
    public func publish(_ model: Model, keep: Int = 3) throws -> String {
        let fileManager = FileManager.default
        do {
            try fileManager.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw ModelFileError(
                file: path, section: nil, reason: "can't create the model directory: \(error.localizedDescription)")
        }
        removeStaleIncoming()
        var version = Self.versionName(for: model.manifest.createdAt)
        var suffix = 2
        while fileManager.fileExists(atPath: join(path, version)) {
            version = Self.versionName(for: model.manifest.createdAt) + "-\(suffix)"
            suffix += 1
        }
        let incoming = join(path, Self.incomingPrefix + version + "-\(getpid())")
        let final = join(path, version)
        do {
            try fileManager.createDirectory(atPath: incoming, withIntermediateDirectories: false)
            try Self.writeModelDurably(model, to: join(incoming, Self.modelFileName))
            try Self.writeDurably(model.manifest.encoded(), to: join(incoming, Self.manifestFileName))
            try Self.syncDirectory(incoming)
            guard rename(incoming, final) == 0 else {
                throw ModelFileError(
                    file: final, section: nil, reason: "can't rename into place: \(String(cString: strerror(errno)))")
            }
            try Self.syncDirectory(path)
        } catch {
            try? fileManager.removeItem(atPath: incoming)
            if let error = error as? ModelFileError { throw error }
            throw ModelFileError(
                file: incoming, section: nil, reason: "can't write the model: \(error.localizedDescription)")
        }
        prune(keep: max(1, keep))
        return final
    }

    /// Removes all but the newest `keep` versions.
    func prune(keep: Int) {
        for old in versions().dropLast(keep) {
            try? FileManager.default.removeItem(atPath: join(path, old))
        }
    }

    /// Removes `.incoming-` directories left by a build that was killed (its process is gone).
    func removeStaleIncoming() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return }
        for name in names where name.hasPrefix(Self.incomingPrefix) {
            if let pid = name.split(separator: "-").last.flatMap({ Int32($0) }), pid != getpid(), kill(pid, 0) == 0 {
                continue  // another reindex is writing it right now
            }
            try? FileManager.default.removeItem(atPath: join(path, name))
        }
    }

    static func versionName(for date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    /// Writes, then fsyncs, a file.
    static func writeDurably(_ data: Data, to file: String) throws {
        let handle = try create(file)
        defer { try? handle.close() }
        try handle.write(contentsOf: data)
        try handle.synchronize()
    }

    /// Streams a model file section by section (`ModelFile.write`), then fills in its header and
    /// fsyncs it, past the page cache where the file system allows (`DirectFileWriter`).
    static func writeModelDurably(_ model: Model, to file: String) throws {
        let writer = try DirectFileWriter(file: file)
        try Data(count: ModelFile.headerSize).withUnsafeBytes { try writer.append($0) }
        let header = try ModelFile.write(model) { try writer.append($0) }
        try header.withUnsafeBytes { try writer.finish(header: $0) }
    }

    private static func create(_ file: String) throws -> FileHandle {
        guard FileManager.default.createFile(atPath: file, contents: nil) else {
            throw ModelFileError(file: file, section: nil, reason: "can't create the file")
        }
        return try FileHandle(forWritingTo: URL(fileURLWithPath: file))
    }

    /// Replaces `file` with `data` so that a crash leaves the old or the new contents, never a
    /// mix: write a temporary sibling, fsync it, rename it over the file, fsync the directory.
    static func replaceDurably(_ file: String, with data: Data, temporarySuffix: String) throws {
        let temporary = file + temporarySuffix
        try writeDurably(data, to: temporary)
        guard rename(temporary, file) == 0 else {
            throw ModelFileError(
                file: file, section: nil, reason: "can't replace it: \(String(cString: strerror(errno)))")
        }
        try syncDirectory((file as NSString).deletingLastPathComponent)
    }

    static func syncDirectory(_ directory: String) throws {
        let descriptor = open(directory, O_RDONLY)
        guard descriptor >= 0 else {
            throw ModelFileError(
                file: directory, section: nil, reason: "can't open to flush: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw ModelFileError(
                file: directory, section: nil, reason: "fsync failed: \(String(cString: strerror(errno)))")
        }
    }
}

func join(_ parts: String...) -> String {
    parts.dropFirst().reduce(parts[0]) { ($0 as NSString).appendingPathComponent($1) }
}
