import Foundation
import KindredLinearAlgebra

/// Reading and checking a model file (`ModelFileFormat.swift` has the layout).
extension ModelFile {
    /// Reads and checks the header and the section table: magic, version, table checksum, bounds.
    /// `data` holds at least the header (the whole file, or its first `headerSize` bytes);
    /// `fileSize` is the file's length, which the table's bounds are checked against.
    static func readTable(
        _ data: Data, fileSize: Int, fail: (Section?, String) -> ModelFileError
    ) throws -> [Section: TableEntry] {
        var reader = BinaryReader(data)
        do {
            guard data.count >= 16, Array(data.prefix(8)) == magic else {
                throw fail(
                    nil,
                    data.count < 8
                        ? "too short to be a model file (\(data.count) bytes)"
                        : "not a Kindred model file (wrong magic bytes)")
            }
            _ = try reader.readBytes(count: magic.count)
            let version = try reader.read(UInt32.self)
            guard (oldestReadVersion...formatVersion).contains(Int(version)) else {
                throw fail(
                    nil,
                    "format version \(version); this Kindred reads versions \(oldestReadVersion) to \(formatVersion): rebuild the model with 'kindred reindex'"
                )
            }
            let required = Section.allCases.filter { version >= 9 || $0 != .semanticVectors }
            let count = try reader.read(UInt32.self)
            guard count == required.count else {
                throw fail(nil, "the section table lists \(count) sections, expected \(required.count)")
            }
            var table: [Section: TableEntry] = [:]
            for _ in 0..<count {
                let tag = String(decoding: try reader.readBytes(count: 4), as: UTF8.self)
                let offset = try reader.read(UInt64.self), length = try reader.read(UInt64.self)
                let digest = Array(try reader.readBytes(count: Checksum.byteCount))
                guard let section = Section(rawValue: tag) else {
                    throw fail(nil, "the section table names an unknown section '\(tag)'")
                }
                guard offset <= UInt64(fileSize), length <= UInt64(fileSize) - offset else {
                    throw fail(
                        section,
                        "truncated: the section needs bytes \(offset)..<\(offset &+ length) but the file has \(fileSize)"
                    )
                }
                table[section] = TableEntry(section: section, offset: Int(offset), length: Int(length), digest: digest)
            }
            let tableEnd = reader.offset
            let storedTableDigest = Array(try reader.readBytes(count: Checksum.byteCount))
            guard Checksum.of(data[data.startIndex..<tableEnd]) == storedTableDigest else {
                throw fail(nil, "bad checksum of the section table: the file is damaged")
            }
            for section in required where table[section] == nil {
                throw fail(section, "missing from the section table")
            }
            let expected = table.values.map { align($0.offset + $0.length) }.max() ?? 0
            guard expected == fileSize else {
                throw fail(
                    nil, "truncated or padded: the section table describes \(expected) bytes, the file has \(fileSize)")
            }
            return table
        } catch let error as BinaryReader.Truncated {
            throw fail(nil, "truncated: \(error.reason)")
        }
    }

    /// Parses and validates a model file's bytes; `file` names it in errors.
    ///
    /// - Throws: `ModelFileError` naming the file, the section and what is wrong.
    public static func decode(_ data: Data, file: String, search: SearchSettings = SearchSettings()) throws -> Model {
        func fail(_ section: Section?, _ reason: String) -> ModelFileError {
            ModelFileError(file: file, section: section?.name, reason: reason)
        }
        let table = try readTable(data, fileSize: data.count, fail: fail)
        return try SectionDecoder(fail: fail, search: search, present: Set(table.keys)) { section in
            let entry = table[section]!
            // A slice, not a copy: the decoders copy what they keep out of it.
            return try checked(
                data[(data.startIndex + entry.offset)..<(data.startIndex + entry.offset + entry.length)], entry, fail)
        }.model()
    }

    /// Reads and validates a model file one section at a time: each section is read, checked
    /// and decoded before the next is read, so a load holds the decoded model and one section's
    /// bytes, never the whole file beside it (with the file mapped beside the decoded model, a
    /// million-article server's load peaked at twice the model's size).
    ///
    /// - Throws: `ModelFileError` naming the file, the section and what is wrong.
    ///
    /// - Parameter search: how the model will search (`SearchSettings`).
    public static func read(file: String, search: SearchSettings = SearchSettings()) throws -> Model {
        func fail(_ section: Section?, _ reason: String) -> ModelFileError {
            ModelFileError(file: file, section: section?.name, reason: reason)
        }
        let descriptor = open(file, O_RDONLY)
        guard descriptor >= 0 else { throw fail(nil, "can't read it: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw fail(nil, "can't read it: \(String(cString: strerror(errno)))")
        }
        let size = Int(status.st_size)
        func bytes(at offset: Int, count: Int) throws -> Data {
            var data = Data(count: count)
            try data.withUnsafeMutableBytes { buffer in
                var done = 0
                while done < count {
                    let got = pread(
                        descriptor, buffer.baseAddress! + done, min(count - done, 1 << 30), off_t(offset + done))
                    if got < 0, errno == EINTR { continue }
                    guard got > 0 else {
                        throw fail(
                            nil,
                            got == 0
                                ? "ends at byte \(offset + done)" : "can't read it: \(String(cString: strerror(errno)))"
                        )
                    }
                    done += got
                }
            }
            return data
        }
        let table = try readTable(try bytes(at: 0, count: min(headerSize, size)), fileSize: size, fail: fail)
        return try SectionDecoder(fail: fail, search: search, present: Set(table.keys)) { section in
            let entry = table[section]!
            return try checked(try bytes(at: entry.offset, count: entry.length), entry, fail)
        }.model()
    }

    /// The semantic channel's vectors of the model file at `file`, reading only its header, its
    /// manifest and that section: what a reindex reuses of the previous build (`SemanticCache`).
    /// Nil for a model without them (or a version-8 file).
    ///
    /// - Throws: `ModelFileError` when the file or the section is damaged.
    public static func readSemanticVectors(file: String) throws -> SemanticVectors? {
        func fail(_ section: Section?, _ reason: String) -> ModelFileError {
            ModelFileError(file: file, section: section?.name, reason: reason)
        }
        guard let handle = FileHandle(forReadingAtPath: file) else { throw fail(nil, "can't read it") }
        defer { try? handle.close() }
        let size = Int(try handle.seekToEnd())
        try handle.seek(toOffset: 0)
        let header = try handle.read(upToCount: min(headerSize, size)) ?? Data()
        let table = try readTable(header, fileSize: size, fail: fail)
        guard table[.semanticVectors] != nil else { return nil }
        let decoder = SectionDecoder(fail: fail, present: Set(table.keys)) { section in
            let entry = table[section]!
            try handle.seek(toOffset: UInt64(entry.offset))
            return try checked(try handle.read(upToCount: entry.length) ?? Data(), entry, fail)
        }
        return try decoder.semanticVectorsAlone()
    }

    /// `payload` when its checksum is the table's.
    private static func checked(_ payload: Data, _ entry: TableEntry, _ fail: (Section?, String) -> ModelFileError)
        throws -> Data
    {
        guard Checksum.of(payload) == entry.digest else {
            throw fail(
                entry.section, "bad checksum: the file is damaged; rebuild it with 'kindred reindex' or restore a copy")
        }
        return payload
    }
}
