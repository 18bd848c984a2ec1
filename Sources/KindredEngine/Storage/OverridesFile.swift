import Foundation

/// `overrides.json` in a model directory: the editorial overrides, kept across reindexes.
///
/// Written whole to a temporary file, fsynced and renamed, so a crash leaves the old or the new
/// file, never a torn one. Every change is a read-modify-write under an exclusive `flock` on
/// `overrides.json.lock`, so the server and `kindred overrides` can both edit without losing
/// each other's changes.
public enum OverridesFile {
    public static let fileName = "overrides.json"

    struct Contents: Codable {
        var format: Int
        var articles: [String: EditorialOverrides.Entry]
    }

    static let format = 1

    /// The overrides stored in `directory`; none when the file does not exist.
    ///
    /// - Throws: `ModelFileError` naming the file when it can't be read or is not valid.
    static func load(directory: String) throws -> EditorialOverrides {
        let path = join(directory, fileName)
        guard FileManager.default.fileExists(atPath: path) else { return .none }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelFileError(file: path, section: nil, reason: "can't read the editorial overrides")
        }
        let contents: Contents
        do {
            contents = try JSONDecoder().decode(Contents.self, from: data)
        } catch {
            throw ModelFileError(
                file: path, section: nil,
                reason: "not a valid overrides file (\(error)); fix it by hand or restore it from a backup")
        }
        guard contents.format == format else {
            throw ModelFileError(
                file: path, section: nil, reason: "overrides format \(contents.format); this Kindred reads \(format)")
        }
        for (id, entry) in contents.articles {
            do {
                try EditorialOverrides.validate(entry, for: id)
            } catch {
                throw ModelFileError(file: path, section: nil, reason: "overrides of '\(id)': \(error)")
            }
        }
        return EditorialOverrides(entries: contents.articles)
    }

    /// Applies `change` to the stored overrides and writes them durably, under the file lock.
    ///
    /// - Returns: the overrides as written.
    @discardableResult
    static func update(
        directory: String, _ change: (inout EditorialOverrides) throws -> Void
    ) throws -> EditorialOverrides {
        let lockPath = join(directory, fileName + ".lock")
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ModelFileError(
                file: lockPath, section: nil, reason: "can't open the lock file: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX) == 0 else {
            throw ModelFileError(
                file: lockPath, section: nil, reason: "can't lock: \(String(cString: strerror(errno)))")
        }
        defer { flock(descriptor, LOCK_UN) }
        var overrides = try load(directory: directory)
        try change(&overrides)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(Contents(format: format, articles: overrides.entries))
        try ModelDirectory.replaceDurably(
            join(directory, fileName), with: data, temporarySuffix: ".writing-\(getpid())")
        return overrides
    }
}
