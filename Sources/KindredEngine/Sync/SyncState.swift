import Foundation

/// How far a server's sync has read its source: the watermark (the newest `updated_at` applied,
/// never later than the source's clock) and the versions applied close behind it.
///
/// Each sync asks for rows updated at or after `watermark − overlap`. Reading *at or after* keeps
/// rows that share the watermark's second (or that a transaction committed late with an earlier
/// time, up to the overlap); `recent` remembers what each such row held when it was applied (a
/// digest of its content), so a row read again is applied again only when its content changed,
/// including after a restart: the state is kept in the model directory (`sync-state.json`),
/// written durably after the journal writes it covers.
public struct SyncState: Codable, Sendable, Equatable {
    public var watermark: Date
    /// Ids applied with an `updated_at` within the overlap before the watermark (or after it).
    public var recent: [String: AppliedVersion]

    /// A row as it was applied.
    public struct AppliedVersion: Codable, Sendable, Equatable {
        public var updatedAt: Date
        /// `SourceChange.digest`; nil in a state written before digests were kept, which makes
        /// the next read of the row apply it again (harmless: the same article is put twice).
        public var digest: String?

        public init(updatedAt: Date, digest: String?) {
            (self.updatedAt, self.digest) = (updatedAt, digest)
        }

        public init(from decoder: Decoder) throws {
            // Older states kept the bare `updated_at`.
            if let date = try? decoder.singleValueContainer().decode(Date.self) {
                (updatedAt, digest) = (date, nil)
                return
            }
            let container = try decoder.container(keyedBy: CodingKeys.self)
            updatedAt = try container.decode(Date.self, forKey: .updatedAt)
            digest = try container.decodeIfPresent(String.self, forKey: .digest)
        }
    }

    public static let fileName = "sync-state.json"

    public init(watermark: Date, recent: [String: AppliedVersion] = [:]) {
        self.watermark = watermark
        self.recent = recent
    }

    /// The lower bound for the next read.
    public func since(overlap: TimeInterval) -> Date { watermark.addingTimeInterval(-overlap) }

    /// The changes of `read` not applied yet, oldest first: a row counts as applied when the
    /// version recorded for its id has the same content.
    public func pending(_ read: SourceChanges) -> [SourceChange] {
        let ordered = read.changes.sorted { ($0.updatedAt, $0.id) < ($1.updatedAt, $1.id) }
        var seen: [String: String] = [:]
        return ordered.filter { change in
            let digest = change.digest
            defer { seen[change.id] = digest }
            if let earlier = seen[change.id] { return earlier != digest }
            return recent[change.id]?.digest != digest
        }
    }

    /// Records `applied` (a prefix of `pending(read)`, oldest first) and moves the watermark:
    /// past all of `read` when every pending change was applied, else only to the last applied
    /// one, so that the rest are read again. The watermark never passes `read.readAt`; versions
    /// that fell out of the overlap are forgotten.
    ///
    /// - Returns: the rows dated after the source's clock (reported by the caller).
    @discardableResult
    public mutating func record(
        _ applied: [SourceChange], of read: SourceChanges, complete: Bool, overlap: TimeInterval
    ) -> [SourceChange] {
        for change in applied {
            recent[change.id] = AppliedVersion(updatedAt: change.updatedAt, digest: change.digest)
        }
        var newest: Date?
        if complete {
            newest = [read.newest, read.changes.map(\.updatedAt).max()].compactMap { $0 }.max()
        } else {
            newest = applied.last?.updatedAt
        }
        var future: [SourceChange] = []
        if let now = read.readAt {
            future = read.changes.filter { $0.updatedAt > now }
            if let candidate = newest, candidate > now { newest = now }
        }
        if let newest, newest > watermark { watermark = newest }
        let floor = since(overlap: overlap)
        recent = recent.filter { $0.value.updatedAt >= floor }
        return future
    }

    /// `pending` then `record` of all of it: the changes to apply when all of them fit.
    public mutating func admit(_ read: SourceChanges, overlap: TimeInterval) -> [SourceChange] {
        let fresh = pending(read)
        record(fresh, of: read, complete: true, overlap: overlap)
        return fresh
    }

    /// The state kept in `directory`, or nil when there is none yet.
    ///
    /// - Throws: `ModelFileError` for a file that exists but can't be read (never silently reset:
    ///   that would replay or skip changes).
    static func read(directory: String) throws -> SyncState? {
        let path = (directory as NSString).appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .secondsSince1970
            return try decoder.decode(SyncState.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw ModelFileError(
                file: path, section: nil,
                reason: "unreadable sync state (\(error)); fix or remove it, then reindex from the source")
        }
    }

    /// Replaces the state kept in `directory`, atomically and durably.
    func write(directory: String) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = [.sortedKeys]
        let path = (directory as NSString).appendingPathComponent(Self.fileName)
        try ModelDirectory.replaceDurably(path, with: try encoder.encode(self), temporarySuffix: ".writing")
    }
}
