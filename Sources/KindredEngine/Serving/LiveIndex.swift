import Foundation
import KindredLinearAlgebra

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
    private var upsertIndex: [String: Int] = [:]
    /// The sequence number of the last journal entry applied.
    public private(set) var journalSequence: Int

    public struct UpsertedArticle: Sendable {
        public var metadata: ArticleMetadata
        /// Nil when none of the article's terms is in the model's vocabulary.
        public var vector: Model.QueryVector?
    }

    public init(model: Model, version: String) {
        self.model = model
        self.version = version
        self.journalSequence = model.manifest.journalSequence ?? 0
    }

    /// Articles that can be returned or queried.
    public var articleCount: Int { model.articles.count - hiddenRows.count + upserts.count }

    /// The stored description of an article, or nil when it is unknown or deleted.
    public func metadata(of id: String) -> ArticleMetadata? {
        if let slot = upsertIndex[id] { return upserts[slot].metadata }
        guard let row = model.row(of: id), !hiddenRows.contains(row) else { return nil }
        return model.articles[row]
    }

    /// The index with `article` added or replaced, its vector folded into the model's space.
    public func upserting(_ article: Article, sequence: Int? = nil) throws -> LiveIndex {
        var next = self
        let vector = try model.queryVector(
            title: article.title, body: article.body, tags: article.tags, language: article.language)
        let entry = UpsertedArticle(metadata: article.metadata, vector: vector)
        if let slot = upsertIndex[article.id] {
            next.upserts[slot] = entry
        } else {
            if let row = model.row(of: article.id) { next.hiddenRows.insert(row) }
            next.upsertIndex[article.id] = next.upserts.count
            next.upserts.append(entry)
        }
        if let sequence { next.journalSequence = max(journalSequence, sequence) }
        return next
    }

    /// The index without `id`, or nil when there is no such article.
    public func deleting(_ id: String, sequence: Int? = nil) -> LiveIndex? {
        var next = self
        var found = false
        if let slot = upsertIndex[id] {
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

    /// Applies a journal entry, whatever its outcome (a delete of an unknown id is a no-op).
    public func applying(_ entry: JournalEntry) throws -> LiveIndex {
        switch entry.operation {
        case .put(let article): return try upserting(article, sequence: entry.sequence)
        case .delete(let id):
            if let next = deleting(id, sequence: entry.sequence) { return next }
            var same = self
            same.journalSequence = max(journalSequence, entry.sequence)
            return same
        }
    }
}

extension LiveIndex {
    /// The articles most related to an indexed (or upserted) one, itself excluded.
    ///
    /// - Throws: `EngineError.unknownArticle` when the id is unknown or deleted.
    public func related(to id: String, query: RelatedQuery) throws -> [RelatedArticle] {
        let vector: Model.QueryVector?
        var row: Int?
        if let slot = upsertIndex[id] {
            vector = upserts[slot].vector
        } else if let found = model.row(of: id), !hiddenRows.contains(found) {
            vector = model.queryVector(row: found)
            row = found
        } else {
            throw EngineError(
                .unknownArticle,
                "no article with id '\(id)' (\(articleCount) articles in model \(version)); check the id, or PUT it first")
        }
        guard let vector else { return [] }
        var query = query
        query.excludedIDs.insert(id)
        return try search(vector, query: query, precomputed: row.flatMap { precomputedCandidates(of: $0, query: query) })
    }

    /// The first `k` admitted entries of a model article's precomputed list, or nil when the list
    /// can't answer exactly (it is narrower than `k`, or filters leave fewer than `k` of it while
    /// other articles it left out might qualify).
    func precomputedCandidates(of row: Int, query: RelatedQuery) -> [ScoredIndex]? {
        let lists = model.neighborLists
        guard query.k <= lists.width else { return nil }
        let list = lists.list(of: row)
        var picked: [ScoredIndex] = []
        for candidate in list where !hiddenRows.contains(candidate.index) && query.admits(model.articles[candidate.index]) {
            picked.append(candidate)
            if picked.count == query.k { return picked }
        }
        // A list shorter than its width already holds every other article.
        return list.count < lists.width ? picked : nil
    }

    /// The articles most related to a text that is not indexed.
    public func similar(title: String, body: String, language: String?, query: RelatedQuery) throws -> [RelatedArticle] {
        guard let vector = try model.queryVector(title: title, body: body, language: language) else { return [] }
        return try search(vector, query: query)
    }

    /// Exact top-k over the model's rows and the upserted articles, filtered by `query`, scored
    /// like `Model.rank` (LSA candidates re-ranked by the blend with TF-IDF cosine).
    ///
    /// - Parameter precomputed: the model's candidates when already known (a by-id query answered
    ///   from the precomputed lists); searched for otherwise.
    func search(_ vector: Model.QueryVector, query: RelatedQuery, precomputed: [ScoredIndex]? = nil) throws -> [RelatedArticle] {
        let articles = model.articles
        let hidden = hiddenRows
        let base = try precomputed ?? model.rank(vector, k: query.k) { row in
            hidden.contains(row) || !query.admits(articles[row])
        }
        var top = TopK(k: query.k)
        for candidate in base { top.offer(index: candidate.index, score: candidate.score) }
        let offset = articles.count
        for (slot, upsert) in upserts.enumerated() {
            guard let other = upsert.vector, query.admits(upsert.metadata) else { continue }
            let score = model.blend(
                vector, lsa: Vector.dot(vector.dense, other.dense), sparse: other.sparse, headline: other.headline)
            top.offer(index: offset + slot, score: score)
        }
        return top.sorted().compactMap { scored in
            if let minimum = query.minimumScore, scored.score < minimum { return nil }
            let metadata = scored.index < offset ? articles[scored.index] : upserts[scored.index - offset].metadata
            return RelatedArticle(article: metadata, score: scored.score)
        }
    }
}
