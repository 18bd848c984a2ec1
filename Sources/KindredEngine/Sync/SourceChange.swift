import Foundation

/// An article changed in the publisher's database since a moment: read by a `ChangeFeed`, applied
/// to a served index as the journal write the publishing system would have sent (PUT, or DELETE
/// when withdrawn).
public struct SourceChange: Sendable, Equatable {
    public enum Operation: Sendable, Equatable {
        case put(Article)
        case withdraw
    }

    public let id: String
    /// The row's `updated_at`: what the sync watermark advances by.
    public let updatedAt: Date
    public let operation: Operation

    public init(id: String, updatedAt: Date, operation: Operation) {
        (self.id, self.updatedAt, self.operation) = (id, updatedAt, operation)
    }
}

/// One read of a change feed: the changes, and the rows that could not be read as articles.
public struct SourceChanges: Sendable {
    public var changes: [SourceChange] = []
    /// Rows skipped, worded like invalid corpus lines (source, row, id, reason).
    public var problems: [CorpusProblem] = []
    /// The newest `updated_at` among all rows, skipped ones included, so a bad row is not read again
    /// and again.
    public var newest: Date?

    public init() {}
}

/// Where a server's sync reads changes between rebuilds (`kindred serve --source --sync-query`).
/// Implementations block on I/O; callers run them off the request threads.
public protocol ChangeFeed: Sendable {
    /// The source, password redacted: for logs and status.
    var name: String { get }
    /// Rows changed at or after `since` (the caller subtracts its overlap).
    func changes(since: Date) throws -> SourceChanges
    /// The source's own clock, for a first watermark.
    func now() throws -> Date
}
