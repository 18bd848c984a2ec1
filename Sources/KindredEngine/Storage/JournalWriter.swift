import Foundation

/// Appends entries durably. Not thread-safe: one writer per journal (the server serialises writes).
///
/// The file is created on the first write, so a server that only answers queries leaves the
/// model directory as it found it.
public final class JournalWriter {
    public let path: String
    private var handle: FileHandle?
    /// The next entry's sequence number.
    public private(set) var nextSequence: Int
    /// Entries in the file.
    public private(set) var count: Int

    /// Prepares to append after `lastSequence` to the journal at `path` (which need not exist yet).
    public init(path: String, lastSequence: Int, count: Int) {
        self.path = path
        self.nextSequence = lastSequence + 1
        self.count = count
    }

    deinit { try? handle?.close() }

    private func openHandle() throws -> FileHandle {
        if let handle { return handle }
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw ModelFileError(file: path, section: nil, reason: "can't create the journal")
            }
            try ModelDirectory.syncDirectory((path as NSString).deletingLastPathComponent)
        }
        let opened = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        let end = try opened.seekToEnd()
        // A crash mid-write can leave a last record without its newline. The next record must not
        // be glued onto it (both would then be unreadable): end the torn line first. Readers report
        // it and skip it; the next compaction drops it.
        if end > 0, try Self.lastByte(of: path, size: end) != 0x0A {
            try opened.write(contentsOf: Data([0x0A]))
        }
        handle = opened
        return opened
    }

    static func lastByte(of path: String, size: UInt64) throws -> UInt8? {
        let reader = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? reader.close() }
        try reader.seek(toOffset: size - 1)
        return try reader.read(upToCount: 1)?.first
    }

    /// Writes and fsyncs one entry; returns it with its sequence number.
    public func append(_ operation: JournalEntry.Operation, meaning: ArticleMeaning? = nil) throws -> JournalEntry {
        try append(entries: [JournalEntry(sequence: 0, operation: operation, meaning: meaning)])[0]
    }

    /// Writes several entries and fsyncs once (a sync's batch): all are durable when it returns.
    public func append(contentsOf operations: [JournalEntry.Operation]) throws -> [JournalEntry] {
        try append(entries: operations.map { JournalEntry(sequence: 0, operation: $0) })
    }

    /// Writes `drafts` (their sequences ignored) and fsyncs once; returns them numbered.
    public func append(entries drafts: [JournalEntry]) throws -> [JournalEntry] {
        guard !drafts.isEmpty else { return [] }
        var data = Data()
        let entries = drafts.enumerated().map { offset, draft in
            var entry = draft
            entry.sequence = nextSequence + offset
            return entry
        }
        for entry in entries { data.append(try Journal.encode(entry)) }
        let handle = try openHandle()
        try handle.write(contentsOf: data)
        try handle.synchronize()
        nextSequence += entries.count
        count += entries.count
        return entries
    }

    /// Rewrites the journal keeping only `entries` (those a new model has not absorbed), atomically.
    public func compact(keeping entries: [JournalEntry]) throws {
        if entries.isEmpty && !FileManager.default.fileExists(atPath: path) { return }
        var data = Data()
        for entry in entries { data.append(try Journal.encode(entry)) }
        try ModelDirectory.replaceDurably(path, with: data, temporarySuffix: ".compacting")
        try handle?.close()
        handle = nil
        count = entries.count
    }
}
