import Foundation

/// An article changed in the publisher's database since a moment: read by a `ChangeFeed`, applied
/// to a served index as the journal write the publishing system would have sent (PUT, or DELETE
/// when withdrawn).
public struct SourceChange: Sendable, Equatable {
    public enum Operation: Sendable, Equatable {
        case put(ReceivedArticle)
        case withdraw
    }

    public let id: String
    /// The row's `updated_at`: what the sync watermark advances by.
    public let updatedAt: Date
    public let operation: Operation

    public init(id: String, updatedAt: Date, operation: Operation) {
        (self.id, self.updatedAt, self.operation) = (ArticleID.normalized(id), updatedAt, operation)
    }

    /// What the change holds, as a digest (XXH3-128, hex): two reads of a row are the same
    /// version when their digests are equal, whatever their `updated_at` says. A clock with
    /// one-second steps (MariaDB's `DATETIME`, SQLite's `datetime('now')`) gives two edits in a
    /// second the same time, and only the content tells them apart.
    public var digest: String {
        let bytes: [UInt8]
        switch operation {
        case .withdraw: bytes = Array("withdrawn".utf8)
        case .put(let received):
            if let fields = received.fields {
                bytes = Checksum.of(fields)
            } else {
                let article = received.article
                let text = [
                    article.id, article.title, article.body, article.url ?? "", article.section ?? "",
                    article.language, article.tags.joined(separator: "\u{1F}"),
                    article.publishedAt.map(RFC3339.format) ?? "",
                ].joined(separator: "\u{1E}")
                bytes = Checksum.of(Data(text.utf8))
            }
        }
        return bytes.map { String(format: "%02x", $0) }.joined()
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
    /// The source's clock when the read started: the watermark never passes it, so a row dated in
    /// the future (a bad value, a CMS clock running fast) can't hide the changes made after it.
    public var readAt: Date?

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
