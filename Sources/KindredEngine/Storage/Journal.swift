import Foundation

/// One change the publishing system sent between reindexes.
public struct JournalEntry: Sendable, Equatable {
    public enum Operation: Sendable, Equatable {
        /// An article published or changed, as it was received.
        case put(ReceivedArticle)
        case delete(String)

        /// A put of an article whose title and body are text already.
        public static func put(text article: Article) -> Operation { .put(ReceivedArticle(text: article)) }
    }

    /// Increases by one per entry, across restarts; a model's manifest records the last one it
    /// absorbed, so replay starts after it.
    public var sequence: Int
    public var operation: Operation
    public var recordedAt: Date
    /// A put's semantic vector, embedded by the server that took the write (`ArticleMeaning`).
    public var meaning: ArticleMeaning?

    public init(sequence: Int, operation: Operation, recordedAt: Date = Date(), meaning: ArticleMeaning? = nil) {
        self.sequence = sequence
        self.operation = operation
        self.recordedAt = recordedAt
        self.meaning = meaning
    }

    public var articleID: String {
        switch operation {
        case .put(let received): received.article.id
        case .delete(let id): id
        }
    }
}

/// The append-only journal of upserts and deletes (`journal.jsonl` in the model directory).
///
/// One JSON object per line, written and flushed to disk (`fsync`) before the write is
/// acknowledged:
///
///     {"seq": 7, "op": "put", "at": "2026-03-04T09:30:00Z", "received": {"id": "...", "title": "...", "body_format": "html", ...}}
///     {"seq": 8, "op": "delete", "at": "2026-03-04T09:31:00Z", "id": "..."}
///
/// A put written while the model had the semantic channel also holds the article's vector,
/// `"meaning": {"encoder": …, "max_tokens": 128, "vector": "<base64>"}` (`ArticleMeaning`).
///
/// A put holds the article's fields as they were received (`ReceivedArticle`), and replay reads
/// them as the first write did. A put written as `"article"` instead holds text already read (lines
/// from before the received fields were kept, and articles made in code): its title and body are
/// taken as they are.
///
/// A line that does not parse (typically a torn last line after a crash) is reported and skipped,
/// never applied and never fatal. `kindred reindex` reads the journal alongside the corpus, and
/// the new model records the last sequence it absorbed.
public enum Journal {
    public static let fileName = "journal.jsonl"

    /// An entry that could not be used: a line of `journal.jsonl`, or a shared journal's entry
    /// (by sequence). It is skipped, never fatal: the entries after it are applied.
    public struct Problem: Sendable, Equatable, Hashable, CustomStringConvertible {
        /// The line in `journal.jsonl`; 0 for a shared journal's entry.
        public var line: Int
        /// The entry's sequence, when known.
        public var sequence: Int?
        public var reason: String

        public init(line: Int = 0, sequence: Int? = nil, reason: String) {
            (self.line, self.sequence, self.reason) = (line, sequence, reason)
        }

        public var description: String {
            if line > 0 { return "line \(line): \(reason)" }
            if let sequence { return "entry \(sequence): \(reason)" }
            return reason
        }
    }

    /// Reads every entry; a missing file is an empty journal.
    public static func read(path: String) throws -> (entries: [JournalEntry], problems: [Problem]) {
        guard FileManager.default.fileExists(atPath: path) else { return ([], []) }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        var entries: [JournalEntry] = []
        var problems: [Problem] = []
        let lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() where !line.isEmpty {
            let isLast = index == lines.count - 1
            do {
                entries.append(try decode(Data(line)))
            } catch {
                let torn = isLast ? " (an incomplete last record: the writer stopped mid-write)" : ""
                problems.append(Problem(line: index + 1, reason: "\(error)\(torn)"))
            }
        }
        return (entries, problems)
    }

    /// The entries that decide the final state: the last one per article id, in sequence order.
    ///
    /// Replaying them gives the same articles as replaying all (a put replaces, a delete removes),
    /// from any starting sequence, so a journal can shrink to one entry per article it touched.
    public static func coalesced(_ entries: [JournalEntry]) -> [JournalEntry] {
        var last: [String: JournalEntry] = [:]
        for entry in entries where (last[entry.articleID]?.sequence ?? .min) < entry.sequence {
            last[entry.articleID] = entry
        }
        return last.values.sorted { $0.sequence < $1.sequence }
    }

    /// A journal record that can't be read.
    public struct DecodeError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Reads one record (a line of `journal.jsonl`, or a shared journal's row).
    public static func decode(_ line: Data) throws -> JournalEntry {
        guard let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any] else {
            throw DecodeError(description: "not a JSON object")
        }
        guard let sequence = object["seq"] as? Int, sequence > 0 else {
            throw DecodeError(description: "missing 'seq'")
        }
        let recordedAt = (object["at"] as? String).flatMap(RFC3339.parse) ?? Date(timeIntervalSince1970: 0)
        switch object["op"] as? String {
        case "put":
            let read: Result<ReceivedArticle, CorpusReader.Reason>
            if let received = object["received"] as? [String: Any] {
                guard
                    let fields = try? JSONSerialization.data(
                        withJSONObject: received, options: [.sortedKeys, .withoutEscapingSlashes])
                else { throw DecodeError(description: "'received' can't be read back as JSON") }
                read = ReceivedArticle.replay(received, fields: fields)
            } else if let fields = object["article"] as? [String: Any] {
                read = ReceivedArticle.text(fields)
            } else {
                throw DecodeError(description: "put without 'received' or 'article'")
            }
            switch read {
            case .success(let received):
                return JournalEntry(
                    sequence: sequence, operation: .put(received), recordedAt: recordedAt,
                    meaning: ArticleMeaning(json: object["meaning"]))
            case .failure(let reason): throw DecodeError(description: reason.text)
            }
        case "delete":
            guard let id = object["id"] as? String, !id.isEmpty else {
                throw DecodeError(description: "delete without 'id'")
            }
            return JournalEntry(
                sequence: sequence, operation: .delete(ArticleID.normalized(id)), recordedAt: recordedAt)
        default:
            throw DecodeError(description: "unknown 'op'")
        }
    }

    /// The line for an entry, newline included.
    public static func encode(_ entry: JournalEntry) throws -> Data {
        var object: [String: Any] = ["seq": entry.sequence, "at": RFC3339.format(entry.recordedAt)]
        switch entry.operation {
        case .put(let received):
            object["op"] = "put"
            if let data = received.fields {
                object["received"] = try JSONSerialization.jsonObject(with: data)
            } else {
                let article = received.article
                var fields: [String: Any] = [
                    "id": article.id, "title": article.title, "body": article.body, "language": article.language,
                    "tags": article.tags,
                ]
                if let url = article.url { fields["url"] = url }
                if let section = article.section { fields["section"] = section }
                if let date = article.publishedAt { fields["published_at"] = RFC3339.format(date) }
                if !article.links.isEmpty { fields["links"] = article.links }
                object["article"] = fields
            }
            if let meaning = entry.meaning { object["meaning"] = meaning.json }
        case .delete(let id):
            object["op"] = "delete"
            object["id"] = id
        }
        var data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        data.append(0x0A)
        return data
    }

    /// Applies entries to a list of articles: a put replaces the article with its id or adds it,
    /// a delete removes it. Order is kept; new articles go at the end.
    public static func apply(_ entries: [JournalEntry], to articles: [Article]) -> [Article] {
        var result = articles
        var index = Dictionary(uniqueKeysWithValues: result.enumerated().map { ($1.id, $0) })
        var deleted = Set<Int>()
        for entry in entries.sorted(by: { $0.sequence < $1.sequence }) {
            switch entry.operation {
            case .put(let received):
                let article = received.article
                if let row = index[article.id], !deleted.contains(row) {
                    result[row] = article
                } else {
                    index[article.id] = result.count
                    result.append(article)
                }
            case .delete(let id):
                if let row = index[id] {
                    deleted.insert(row)
                    index[id] = nil
                }
            }
        }
        return result.enumerated().filter { !deleted.contains($0.offset) }.map(\.element)
    }
}
