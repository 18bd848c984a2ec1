import Foundation

/// An article write as the publishing system sent it (a `PUT`, a source row), kept beside the
/// article it made so that the journal can store what was received rather than what was made of
/// it.
///
/// Why: reading an article is not idempotent. A title `&lt;br&gt;` is read as the text `<br>`;
/// reading that text again as markup gives an empty title. The journal therefore holds the
/// received fields (those Kindred knows, `body_format` set to the format the first read chose),
/// and replay runs them through the same reader (`CorpusReader.article(from:)`), which gives the
/// same article after every restart, reload, reindex and replica catch-up.
public struct ReceivedArticle: Sendable, Equatable {
    /// The fields as one JSON object with sorted keys; nil for an article whose title and body
    /// are text already (made in code, or a journal line written before the fields were kept).
    public let fields: Data?
    /// What the fields make.
    public let article: Article

    /// The fields `CorpusReader` reads; others are not kept.
    static let knownFields: Set<String> = [
        "id", "title", "body", "body_format", "url", "published_at", "section", "language", "tags", "related",
        "links",
    ]

    /// An article whose title and body are taken as they are on replay.
    public init(text article: Article) {
        self.fields = nil
        self.article = article
    }

    private init(fields: Data, article: Article) {
        self.fields = fields
        self.article = article
    }

    /// Reads received fields as `CorpusReader.article(from:bodyFormat:)` does, and keeps them.
    public static func read(_ received: [String: Any], bodyFormat: BodyFormat? = nil)
        -> Result<ReceivedArticle, CorpusReader.Reason>
    {
        CorpusReader.read(received, bodyFormat: bodyFormat).flatMap { made in
            var kept = received.filter { knownFields.contains($0.key) && !($0.value is NSNull) }
            kept["id"] = made.article.id
            kept["body_format"] = made.format.rawValue
            guard JSONSerialization.isValidJSONObject(kept),
                let data = try? JSONSerialization.data(
                    withJSONObject: kept, options: [.sortedKeys, .withoutEscapingSlashes])
            else { return .failure(CorpusReader.Reason(text: "the article's fields can't be written as JSON")) }
            return .success(ReceivedArticle(fields: data, article: made.article))
        }
    }

    /// Reads fields a journal kept (`fields`), through the same reader as the first time.
    public static func replay(_ fields: Data) -> Result<ReceivedArticle, CorpusReader.Reason> {
        guard let object = try? JSONSerialization.jsonObject(with: fields) as? [String: Any] else {
            return .failure(CorpusReader.Reason(text: "the received fields are not a JSON object"))
        }
        return replay(object, fields: fields)
    }

    /// Reads fields already parsed (`object`) whose JSON is `fields`: a journal line's.
    static func replay(_ object: [String: Any], fields: Data) -> Result<ReceivedArticle, CorpusReader.Reason> {
        CorpusReader.read(object, bodyFormat: nil).map { ReceivedArticle(fields: fields, article: $0.article) }
    }

    /// Reads an article's fields as text (no markup), as the journal's older lines hold them.
    static func text(_ fields: [String: Any]) -> Result<ReceivedArticle, CorpusReader.Reason> {
        CorpusReader.read(fields, bodyFormat: .text, markup: false).map { ReceivedArticle(text: $0.article) }
    }
}
