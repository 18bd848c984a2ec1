import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A model directory's own journal: the writes in `journal.jsonl` (`Journal`, appended by
/// `JournalWriter` and fsynced before a write is acknowledged), the editorial overrides in
/// `overrides.json` (`OverridesFile`). One server writes the journal; `kindred reindex` reads it,
/// and `kindred overrides` edits the overrides under their file lock.
///
/// It remembers the sequences it holds, so the server's catch-up before each write and its count
/// for `--max-journal-entries` cost no read of the file. Sequences continue after the highest any
/// kept version absorbed, so a journal emptied by a compaction never hands out a number a model
/// already counts.
public final class FileJournal: ChangeJournal, @unchecked Sendable {
    public let directory: ModelDirectory
    private let lock = NSLock()
    /// Opened on first use.
    private var writer: JournalWriter?
    /// The sequences in the file, in order.
    private var sequences: [Int] = []

    /// The journal of `directory`; `file` reads another journal file instead (`reindex --journal
    /// FILE`), the overrides staying the directory's.
    public init(directory: ModelDirectory, file: String? = nil) {
        self.directory = directory
        self.path = file ?? directory.file(Journal.fileName)
    }

    public let path: String
    public var name: String { path }
    public var isShared: Bool { false }
    public func identity() -> String? { nil }

    private func locked<T>(_ work: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try work()
    }

    /// Reads the file, and opens the writer after its last sequence the first time.
    private func read() throws -> (entries: [JournalEntry], problems: [Journal.Problem]) {
        let read = try Journal.read(path: path)
        sequences = read.entries.map(\.sequence)
        if writer == nil {
            let last = max(sequences.max() ?? 0, directory.highestAbsorbedJournalSequence())
            writer = JournalWriter(path: path, lastSequence: last, count: sequences.count)
        }
        return read
    }

    private func openWriter() throws -> JournalWriter {
        if let writer { return writer }
        _ = try read()
        return writer!
    }

    public func append(_ drafts: [JournalEntry]) throws -> [JournalEntry] {
        try locked {
            let entries = try openWriter().append(entries: drafts)
            sequences += entries.map(\.sequence)
            return entries
        }
    }

    public func entries(after sequence: Int) throws -> JournalRead {
        try locked {
            // The server's catch-up before each write: nothing past what it applied, unless the
            // file was never read.
            if let writer, sequence >= writer.nextSequence - 1 { return JournalRead(entries: []) }
            let read = try read()
            return JournalRead(entries: read.entries.filter { $0.sequence > sequence }, skipped: read.problems)
        }
    }

    public func count(after sequence: Int) throws -> Int {
        try locked {
            _ = try openWriter()
            return sequences.count { $0 > sequence }
        }
    }

    public func coalesce() throws {
        try locked {
            let writer = try openWriter()
            let entries = try read().entries
            let kept = Journal.coalesced(entries)
            guard kept.count < entries.count else { return }
            try writer.compact(keeping: kept)
            sequences = kept.map(\.sequence)
        }
    }

    public func compact(through floor: Int) throws {
        try locked {
            let writer = try openWriter()
            let kept = Journal.coalesced(try read().entries.filter { $0.sequence > floor })
            try writer.compact(keeping: kept)
            sequences = kept.map(\.sequence)
        }
    }

    /// The overrides file, stamped by its content: the stamp changes when the file does.
    ///
    /// - Throws: `ModelFileError` for a file that can't be read or is not valid (a directory's
    ///   server refuses to start or reload on it rather than drop every override).
    public func overrides() throws -> JournalOverrides {
        let overrides = try OverridesFile.load(directory: directory.path)
        let data = FileManager.default.contents(atPath: directory.file(OverridesFile.fileName)) ?? Data()
        let stamp = Int(truncatingIfNeeded: Checksum.of(data).prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        return JournalOverrides(overrides: overrides, stamp: stamp)
    }

    public func setOverrides(_ entry: EditorialOverrides.Entry?, for id: String) throws {
        try OverridesFile.update(directory: directory.path) { $0.set(entry, for: id) }
    }

    /// The head and the overrides' stamp; no newest model, as a directory's server switches on
    /// `POST /admin/reload` or SIGHUP, not on its own.
    public func positions() throws -> JournalPositions {
        let head = try locked { try openWriter().nextSequence - 1 }
        return JournalPositions(head: head, overridesStamp: try overrides().stamp, newestModel: nil)
    }

    /// Nothing to record: the directory itself says what is published, and its server compacts
    /// the file at its next reload.
    public func announce(published version: String, absorbed: Int, floor: Int, keep: Int) {}

    public func published(_ version: String, absorbed: Int) -> Bool { directory.versions().contains(version) }

    public func recentlyPublished(limit: Int) -> [String] { Array(directory.versions().suffix(limit).reversed()) }

    /// An exclusive `flock` on `.reindex.lock` in the directory, held while the value lives. A
    /// directory that doesn't exist yet has no journal to absorb and no version to prune, and a
    /// reindex that fails must not leave it behind: there is nothing to lock then.
    public func lockForReindex() throws -> AnyObject {
        guard FileManager.default.fileExists(atPath: directory.path) else { return directory.path as NSString }
        return try ReindexFileLock(path: directory.file(".reindex.lock"))
    }

    /// No one else writes: nothing to wait for.
    public func waitForNews(timeout: Double) -> JournalNews {
        Thread.sleep(forTimeInterval: timeout)
        return JournalNews()
    }
}

/// An exclusive, non-blocking `flock` on a file made for it, released when the value is dropped
/// (or the process ends), and the file removed then, so that a reindex leaves the directory as it
/// found it. The file is removed while the lock is held; a taker that locked a file someone
/// removed meanwhile (its inode is no longer the path's) takes the new one instead.
final class ReindexFileLock {
    private let descriptor: Int32
    private let path: String

    init(path: String) throws {
        self.path = path
        while true {
            let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw ModelFileError(
                    file: path, section: nil, reason: "can't open the lock file: \(String(cString: strerror(errno)))")
            }
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
                close(descriptor)
                throw ModelFileError(
                    file: path, section: nil,
                    reason:
                        "another 'kindred reindex' is publishing into this directory; wait for it (one reindex publishes at a time)"
                )
            }
            var held = stat(), named = stat()
            if fstat(descriptor, &held) == 0, stat(path, &named) == 0, held.st_ino == named.st_ino,
                held.st_dev == named.st_dev
            {
                self.descriptor = descriptor
                return
            }
            close(descriptor)
        }
    }

    deinit {
        unlink(path)
        close(descriptor)
    }
}
