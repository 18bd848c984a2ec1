import Foundation
import KindredEncoder
import KindredLinearAlgebra
import KindredText

/// A model plus the changes made since it was built: articles published or changed (folded into
/// the model's space) and articles withdrawn. Immutable: every change returns a new value, so a
/// server can hand the current one to any number of readers while a writer prepares the next.
///
/// Upserted articles keep their own small list of vectors next to the model's matrix; an upsert
/// of an id the model already has hides the model's row. Both lists are searched exactly.
/// Between reindexes the overlay stays small (a day's publishing), so copying it on a write is
/// cheap; the model's matrices are shared, never copied.
public struct LiveIndex: Sendable {
    public let model: Model
    /// The model's version (its directory name), for responses and metrics.
    public let version: String
    /// Rows of the model that were deleted or replaced by an upsert.
    public private(set) var hiddenRows: Set<Int> = []
    /// Upserted articles in the order they arrived, with their vectors (nil: no known term).
    public private(set) var upserts: [UpsertedArticle] = []
    var upsertIndex: [String: Int] = [:]
    /// Upserted articles by normalised URL (`OutboundLinks.normalizedURL`), for a draft's links.
    var upsertIDByURL: [String: String] = [:]
    /// The sequence number of the last journal entry applied.
    public private(set) var journalSequence: Int
    /// Pins and blocks editors set, applied to every by-id request.
    public private(set) var overrides: EditorialOverrides = .none
    /// The sentence encoder that embeds a draft for the semantic channel; used only when it is the
    /// one the model's vectors came from (`SemanticVectors.encoder`). Nil: drafts rank on words.
    public var encoder: SentenceEncoder?

    public struct UpsertedArticle: Sendable {
        public let metadata: ArticleMetadata
        /// Nil when none of the article's terms is in the model's vocabulary.
        public let vector: Model.QueryVector?
        /// The primary subtag of the article's language, parsed once rather than per request.
        public let languageCode: String?
        /// The semantic channel's vector (`ArticleMeaning`); nil when the write carried none that
        /// fits the model's, and the article ranks on words.
        public let meaning: [Float]?

        init(metadata: ArticleMetadata, vector: Model.QueryVector?, meaning: [Float]?) {
            self.metadata = metadata
            self.vector = vector
            self.languageCode = Language.primarySubtag(of: metadata.language)
            self.meaning = meaning
        }
    }

    public init(model: Model, version: String, overrides: EditorialOverrides = .none) {
        self.model = model
        self.version = version
        self.journalSequence = model.manifest.journalSequence ?? 0
        self.overrides = overrides
    }

    /// The index with other editorial overrides.
    public func with(overrides: EditorialOverrides) -> LiveIndex {
        var next = self
        next.overrides = overrides
        return next
    }

    /// Articles that can be returned or queried.
    public var articleCount: Int { model.articles.count - hiddenRows.count + upserts.count }

    /// The stored description of an article, or nil when it is unknown or deleted.
    public func metadata(of id: String) -> ArticleMetadata? {
        if let slot = upsertIndex[id] { return upserts[slot].metadata }
        guard let row = model.row(of: id), !hiddenRows.contains(row) else { return nil }
        return model.articles[row]
    }

    /// Articles whose id or title starts with `prefix`, or whose title has a word starting with it
    /// (case- and diacritic-insensitive): title matches first, newest first within each group.
    /// For finding an article to look at, not for ranking.
    ///
    /// - Complexity: O(n) in the articles.
    public func articles(matching prefix: String, limit: Int) -> [ArticleMetadata] {
        let needle = prefix.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .trimmingCharacters(in: .whitespaces)
        guard !needle.isEmpty, limit > 0 else { return [] }
        var leading: [ArticleMetadata] = [], inside: [ArticleMetadata] = []
        func consider(_ article: ArticleMetadata) {
            let title = article.title.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            if title.hasPrefix(needle) || article.id.lowercased().hasPrefix(needle) {
                leading.append(article)
            } else if title.contains(" " + needle) {
                inside.append(article)
            }
        }
        for (row, article) in model.articles.enumerated() where !hiddenRows.contains(row) { consider(article) }
        for upsert in upserts { consider(upsert.metadata) }
        func newestFirst(_ list: [ArticleMetadata]) -> [ArticleMetadata] {
            list.sorted { ($0.publishedAt ?? .distantPast, $1.id) > ($1.publishedAt ?? .distantPast, $0.id) }
        }
        return Array((newestFirst(leading) + newestFirst(inside)).prefix(limit))
    }

    /// The index with `article` added or replaced, its vector folded into the model's space and
    /// its meaning (`meanings(of:encoder:)`) kept when it fits the model's.
    public func upserting(_ article: Article, meaning: ArticleMeaning? = nil, sequence: Int? = nil) -> LiveIndex {
        var next = self
        let vector = model.queryVector(
            title: article.title, body: article.body, tags: article.tags, language: article.language)
        let entry = UpsertedArticle(metadata: article.metadata, vector: vector, meaning: usable(meaning))
        if let slot = upsertIndex[article.id] {
            next.forgetURL(of: upserts[slot].metadata)
            next.upserts[slot] = entry
        } else {
            if let row = model.row(of: article.id) { next.hiddenRows.insert(row) }
            next.upsertIndex[article.id] = next.upserts.count
            next.upserts.append(entry)
        }
        if let url = article.url, !url.isEmpty { next.upsertIDByURL[OutboundLinks.normalizedURL(url)] = article.id }
        if let sequence { next.journalSequence = max(journalSequence, sequence) }
        return next
    }

    private mutating func forgetURL(of article: ArticleMetadata) {
        guard let url = article.url, !url.isEmpty else { return }
        let key = OutboundLinks.normalizedURL(url)
        if upsertIDByURL[key] == article.id { upsertIDByURL[key] = nil }
    }

    /// The index without `id`, or nil when there is no such article.
    public func deleting(_ id: String, sequence: Int? = nil) -> LiveIndex? {
        var next = self
        var found = false
        if let slot = upsertIndex[id] {
            next.forgetURL(of: upserts[slot].metadata)
            next.upserts.remove(at: slot)
            next.upsertIndex = Dictionary(uniqueKeysWithValues: next.upserts.enumerated().map { ($1.metadata.id, $0) })
            found = true
        }
        if let row = model.row(of: id), !hiddenRows.contains(row) {
            next.hiddenRows.insert(row)
            found = true
        }
        guard found else { return nil }
        if let sequence { next.journalSequence = max(journalSequence, sequence) }
        return next
    }

    /// Applies the entries past `journalSequence`, in sequence order.
    public func replaying(_ entries: [JournalEntry]) -> LiveIndex {
        entries.reduce(self) { index, entry in entry.sequence > index.journalSequence ? index.applying(entry) : index }
    }

    /// The index with `sequence` counted as applied, nothing else changed: a skipped entry.
    public func passing(_ sequence: Int) -> LiveIndex {
        var next = self
        next.journalSequence = max(journalSequence, sequence)
        return next
    }

    /// Applies a journal entry, whatever its outcome (a delete of an unknown id is a no-op).
    public func applying(_ entry: JournalEntry) -> LiveIndex {
        switch entry.operation {
        case .put(let received): return upserting(received.article, meaning: entry.meaning, sequence: entry.sequence)
        case .delete(let id):
            if let next = deleting(id, sequence: entry.sequence) { return next }
            var same = self
            same.journalSequence = max(journalSequence, entry.sequence)
            return same
        }
    }
}
