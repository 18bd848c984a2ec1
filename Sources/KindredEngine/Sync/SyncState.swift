import Foundation

/// How far a server's sync has read its source: the watermark (the newest `updated_at` applied)
/// and the versions applied close behind it.
///
/// Each sync asks for rows updated at or after `watermark − overlap`. Reading *at or after* keeps
/// rows that share the watermark's second (or that a transaction committed late with an earlier
/// time, up to the overlap); `recent` remembers which (id, updated_at) pairs of that window were
/// applied, so they are not applied twice, including after a restart: the state is kept in the model
/// directory (`sync-state.json`), written durably after the journal writes it covers.
public struct SyncState: Codable, Sendable, Equatable {
    public var watermark: Date
    /// Ids applied with an `updated_at` within the overlap before the watermark → that `updated_at`.
    public var recent: [String: Date]

    public static let fileName = "sync-state.json"

    public init(watermark: Date, recent: [String: Date] = [:]) {
        self.watermark = watermark
        self.recent = recent
    }

    /// The lower bound for the next read.
    public func since(overlap: TimeInterval) -> Date { watermark.addingTimeInterval(-overlap) }

    /// The changes not applied yet, oldest first; advances the watermark past all of `read`
    /// (problems included) and forgets versions that fell out of the overlap.
    public mutating func admit(_ read: SourceChanges, overlap: TimeInterval) -> [SourceChange] {
        let ordered = read.changes.sorted { ($0.updatedAt, $0.id) < ($1.updatedAt, $1.id) }
        var fresh: [SourceChange] = []
        for change in ordered where !Self.sameVersion(recent[change.id], change.updatedAt) {
            fresh.append(change)
            recent[change.id] = change.updatedAt
        }
        if let newest = [read.newest, ordered.last?.updatedAt].compactMap({ $0 }).max(), newest > watermark {
            watermark = newest
        }
        let floor = since(overlap: overlap)
        recent = recent.filter { $0.value >= floor }
        return fresh
    }

    /// Whether two `updated_at` values are the same to the microsecond, the finest any supported
    /// database keeps. Exact equality would fail after the file's round trip: seconds since 1970 in
    /// JSON and Foundation's seconds since 2001 differ by an offset that rounds the last bit.
    static func sameVersion(_ a: Date?, _ b: Date) -> Bool {
        guard let a else { return false }
        return (a.timeIntervalSince1970 * 1_000_000).rounded() == (b.timeIntervalSince1970 * 1_000_000).rounded()
    }

    /// The state kept in `directory`, or nil when there is none yet.
    ///
    /// - Throws: `ModelFileError` for a file that exists but can't be read (never silently reset:
    ///   that would replay or skip changes).
    public static func read(directory: String) throws -> SyncState? {
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
    public func write(directory: String) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = [.sortedKeys]
        let path = (directory as NSString).appendingPathComponent(Self.fileName)
        try ModelDirectory.replaceDurably(path, with: try encoder.encode(self), temporarySuffix: ".writing")
    }
}
