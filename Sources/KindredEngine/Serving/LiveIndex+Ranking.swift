import Foundation
import KindredLinearAlgebra
import KindredText

/// The query pipeline: resolve the examples to one query vector, gather candidates (from the
/// precomputed lists or an exact search, plus the upserted articles), then shape the list:
///
/// 1. filters (`Admission`: excluded ids, section, language, dates, max age), blocked links and,
///    for drafts, articles already linked;
/// 2. the relevance floor, on the blended score;
/// 3. freshness, multiplying the score by a recency factor;
/// 4. near-duplicate collapse, then maximal marginal relevance;
/// 5. pinned links first, then the ranked ones, then the fallback to fill a short list;
/// 6. explanations.
extension LiveIndex {
    /// Most distinct indexed terms a query text may hold. A long feature has a few thousand; a
    /// text with more is a collection pasted by mistake, and folding it in costs terms × dimensions.
    public static let maximumQueryTerms = 10_000

    /// What a query is about, resolved.
    struct Subject {
        var vector: Model.QueryVector?
        /// The model row when the query is one model article (its precomputed list can answer).
        var row: Int?
        /// The one article whose editorial overrides apply.
        var overridesID: String?
        var language: String?
        var section: String?
        /// Never results: the examples themselves.
        var excluded: Set<String>
        /// Articles the draft links to.
        var linked: Set<String>
    }

    /// The articles most related to an indexed (or upserted) one, itself excluded, with its
    /// editorial overrides applied.
    ///
    /// - Throws: `EngineError.unknownArticle` when the id is unknown or deleted;
    ///   `EngineError.invalidParameter` for a query value out of range.
    public func related(to id: String, query: RelatedQuery) throws -> RelatedList {
        try related(like: [.article(id)], query: query)
    }

    /// The articles most related to a text that is not indexed (a draft).
    ///
    /// - Parameter links: ids or URLs the draft links to besides those found in its text.
    public func similar(
        title: String, body: String, language: String?, links: [String] = [], query: RelatedQuery
    ) throws -> RelatedList {
        try related(like: [.text(title: title, body: body, language: language)], links: links, query: query)
    }

    /// The articles most related to several examples at once, and unlike the negative ones (a
    /// topic page: "more like these, less like that"); see `Model.combining(like:unlike:)`.
    ///
    /// - Throws: `EngineError.unknownArticle` for an unknown id among the examples;
    ///   `EngineError.invalidParameter` for no positive example or a query value out of range.
    public func related(
        like: [QueryExample], unlike: [QueryExample] = [], links: [String] = [], query: RelatedQuery
    ) throws -> RelatedList {
        try query.validate()
        guard !like.isEmpty else { throw EngineError.invalidParameter("give at least one example to be like") }
        return try answer(subject(like: like, unlike: unlike, links: links), query: query)
    }

    func subject(like: [QueryExample], unlike: [QueryExample], links: [String]) throws -> Subject {
        var excluded = Set<String>(), linked = Set<String>()
        var language: String?, section: String?
        func resolve(_ example: QueryExample) throws -> (vector: Model.QueryVector?, row: Int?) {
            switch example {
            case .article(let id):
                excluded.insert(id)
                if let slot = upsertIndex[id] {
                    language = language ?? upserts[slot].metadata.language
                    section = section ?? upserts[slot].metadata.section
                    return (upserts[slot].vector, nil)
                }
                guard let row = model.row(of: id), !hiddenRows.contains(row) else {
                    throw EngineError(
                        .unknownArticle,
                        "no article with id '\(id)' (\(articleCount) articles in model \(version)); check the id, or PUT it first")
                }
                language = language ?? model.articles[row].language
                section = section ?? model.articles[row].section
                return (model.queryVector(row: row), row)
            case .text(let title, let body, let textLanguage):
                language = language ?? textLanguage ?? Language.defaultCode
                linked.formUnion(linkedIDs(in: title + "\n" + body))
                let vector = try model.queryVector(title: title, body: body, language: textLanguage)
                if let terms = vector?.sparse.indices.count, terms > Self.maximumQueryTerms {
                    throw EngineError.invalidParameter(
                        "the text has \(terms) distinct indexed terms; the limit is \(Self.maximumQueryTerms): send one article, not a collection")
                }
                return (vector, nil)
            }
        }
        let positives = try like.map(resolve)
        let savedLanguage = language, savedSection = section
        let negatives = try unlike.map(resolve)
        language = savedLanguage
        section = savedSection
        for link in links {
            if let id = linkedID(link) { linked.insert(id) }
        }
        let single = like.count == 1 && unlike.isEmpty
        let overridesID: String? = if single, case .article(let id) = like[0] { id } else { nil }
        return Subject(
            vector: Model.combining(like: positives.compactMap(\.vector), unlike: negatives.compactMap(\.vector)),
            row: single ? positives[0].row : nil, overridesID: overridesID, language: language, section: section,
            excluded: excluded, linked: linked)
    }

    /// Ids of live articles referenced in a text by URL or by id.
    func linkedIDs(in text: String) -> Set<String> {
        let references = OutboundLinks.references(in: text)
        var ids = Set<String>()
        for url in references.urls {
            if let id = linkedID(url) { ids.insert(id) }
        }
        for word in references.words where metadata(of: word) != nil { ids.insert(word) }
        return ids
    }

    /// The live article an id or URL names, or nil.
    func linkedID(_ reference: String) -> String? {
        if metadata(of: reference) != nil { return reference }
        if let id = upsertIDByURL[OutboundLinks.normalizedURL(reference)] { return id }
        guard let row = model.row(ofURL: reference), !hiddenRows.contains(row) else { return nil }
        return model.articles[row].id
    }

    // MARK: - Slots: model rows, then upserted articles

    /// Model rows are slots `0..<n`; upserted article `i` is slot `n + i`.
    func slotMetadata(_ slot: Int) -> ArticleMetadata {
        slot < model.articles.count ? model.articles[slot] : upserts[slot - model.articles.count].metadata
    }

    func slotVector(_ slot: Int) -> Model.QueryVector? {
        slot < model.articles.count ? model.queryVector(row: slot) : upserts[slot - model.articles.count].vector
    }

    func slot(of id: String) -> Int? {
        if let slot = upsertIndex[id] { return model.articles.count + slot }
        guard let row = model.row(of: id), !hiddenRows.contains(row) else { return nil }
        return row
    }

    /// `Admission` for model rows, resolved once per request: excluded ids as rows, the language
    /// as a code, deleted rows folded in.
    struct RowFilter {
        let admission: Admission
        let excludedRows: Set<Int>
        let hidden: Set<Int>
        let languageCode: Int32?
        let model: Model

        init(_ admission: Admission, index: LiveIndex) {
            self.admission = admission
            self.model = index.model
            self.excludedRows = Set(admission.excludedIDs.compactMap(index.model.row(of:)))
            self.hidden = index.hiddenRows
            self.languageCode = admission.language.map(index.model.languageCode(of:))
        }

        func admits(_ row: Int) -> Bool {
            if excludedRows.contains(row) || hidden.contains(row) { return false }
            if let languageCode, model.languageCodes[row] != languageCode { return false }
            if let section = admission.section, model.articles[row].section != section { return false }
            return admission.admitsDate(model.articles[row].publishedAt)
        }
    }

    // MARK: - The pipeline

    func answer(_ subject: Subject, query: RelatedQuery) throws -> RelatedList {
        let now = query.referenceTime ?? Date()
        var admission = query.admission(subjectLanguage: subject.language, now: now)
        admission.excludedIDs.formUnion(subject.excluded)
        if query.linkedArticles == .exclude { admission.excludedIDs.formUnion(subject.linked) }
        let entry = subject.overridesID.flatMap { overrides.entry(for: $0) }
        admission.excludedIDs.formUnion(entry?.blocked ?? [])
        // Pins ignore the filters (an editor chose them), but not deletion or the query itself.
        let pinned = Array(
            (entry?.pinned ?? []).filter { !subject.excluded.contains($0) }.compactMap(slot(of:)).prefix(query.k))
        admission.excludedIDs.formUnion(pinned.map { slotMetadata($0).id })
        let wanted = query.k - pinned.count

        var vectors: [Int: Model.QueryVector] = [:]
        func vector(_ slot: Int) -> Model.QueryVector? {
            if let known = vectors[slot] { return known }
            let found = slotVector(slot)
            vectors[slot] = found
            return found
        }
        func relevance(_ slot: Int) -> Float {
            guard let query = subject.vector, let other = vector(slot) else { return 0 }
            return model.blend(query, lsa: Vector.dot(query.dense, other.dense), sparse: other.sparse, headline: other.headline)
        }

        var ranked: [ScoredIndex] = []
        var belowFloor = 0
        var searched = false
        var factors: [Int: Float] = [:]
        if wanted > 0, let queryVector = subject.vector {
            let (pool, fromSearch) = try candidates(
                queryVector, row: subject.row, admission: admission, wanted: wanted, query: query)
            searched = fromSearch
            let relevant = pool.filter { $0.score >= query.minimumScore }
            belowFloor = min(wanted, pool.count) - min(wanted, relevant.count)
            ranked = relevant
            if let freshness = query.freshness {
                ranked = ranked.map { candidate in
                    let factor = freshness.factor(published: slotMetadata(candidate.index).publishedAt, now: now)
                    factors[candidate.index] = factor
                    return ScoredIndex(index: candidate.index, score: candidate.score * factor)
                }
                ranked.sort { ($0.score, $1.index) > ($1.score, $0.index) }
            }
            if let threshold = query.duplicateThreshold {
                let limit = query.diversity < 1 ? ranked.count : wanted
                var sparse: [Int: SparseVector] = [:]
                func terms(_ slot: Int) -> SparseVector {
                    if let known = sparse[slot] { return known }
                    let found = slot < model.articles.count
                        ? model.tfidfRows.row(slot) : upserts[slot - model.articles.count].vector?.sparse ?? .empty
                    sparse[slot] = found
                    return found
                }
                ranked = Diversity.collapsingDuplicates(ranked, threshold: threshold, limit: limit) { a, b in
                    terms(a.index).dot(terms(b.index))
                }
            }
            ranked = Diversity.maximalMarginalRelevance(
                ranked, k: wanted, lambda: query.diversity, score: \.score
            ) { a, b in
                guard let first = vector(a.index), let second = vector(b.index) else { return 0 }
                return Vector.dot(first.dense, second.dense)
            }
        }

        var results = pinned.map { RelatedArticle(article: slotMetadata($0), score: relevance($0), reason: .pinned) }
        results += ranked.map { RelatedArticle(article: slotMetadata($0.index), score: $0.score) }
        if results.count < query.k, query.fallback == .section {
            var fill = admission
            fill.section = admission.section ?? subject.section
            fill.excludedIDs.formUnion(results.map(\.article.id))
            for slot in newest(admitted: fill, count: query.k - results.count) {
                results.append(RelatedArticle(article: slotMetadata(slot), score: relevance(slot), reason: .fallback))
            }
        }
        var dimensionTerms: [Int: [String]] = [:]
        for i in results.indices {
            results[i].alreadyLinked = subject.linked.contains(results[i].article.id)
            if query.explain, let queryVector = subject.vector, let slot = slot(of: results[i].article.id),
               let other = vector(slot) {
                results[i].explanation = model.explanation(
                    of: queryVector, against: other, freshness: factors[slot] ?? 1
                ) { j in
                    if let known = dimensionTerms[j] { return known }
                    let terms = model.topTerms(ofDimension: j, for: queryVector)
                    dimensionTerms[j] = terms
                    return terms
                }
            }
        }
        return RelatedList(results: results, requested: query.k, belowFloor: belowFloor, searched: searched)
    }

    /// The candidates for the ranked part of a list, best first by relevance: up to
    /// `max(wanted, rerankDepth)` of them, so the shaping steps have spares; and whether they
    /// came from a search rather than the row's precomputed list.
    func candidates(
        _ vector: Model.QueryVector, row: Int?, admission: Admission, wanted: Int, query: RelatedQuery
    ) throws -> (candidates: [ScoredIndex], searched: Bool) {
        let poolSize = max(wanted, model.parameters.rerankDepth)
        let filter = RowFilter(admission, index: self)
        // Freshness and diversity choose among the whole pool; a narrower list can't feed them.
        let reorders = query.freshness != nil || query.diversity < 1
        let listed = row.flatMap { precomputedCandidates(of: $0, filter: filter, wanted: reorders ? poolSize : wanted) }
        let base = try listed ?? model.rank(vector, k: poolSize) { !filter.admits($0) }
        return (merged(base, vector: vector, admission: admission, poolSize: poolSize), listed == nil)
    }

    /// `base` with the upserts `admission` admits merged in by relevance, best first.
    private func merged(
        _ base: [ScoredIndex], vector: Model.QueryVector, admission: Admission, poolSize: Int
    ) -> [ScoredIndex] {
        // Both are sorted already; only upserts need merging in.
        guard !upserts.isEmpty else { return base }
        var top = TopK(k: poolSize)
        for candidate in base { top.offer(index: candidate.index, score: candidate.score) }
        let offset = model.articles.count
        for (slot, upsert) in upserts.enumerated() {
            guard let other = upsert.vector, admission.admits(upsert.metadata) else { continue }
            let score = model.blend(
                vector, lsa: Vector.dot(vector.dense, other.dense), sparse: other.sparse, headline: other.headline)
            top.offer(index: offset + slot, score: score)
        }
        return top.sorted()
    }

    /// The admitted entries of a model article's precomputed list, or nil when the list can't
    /// answer: it holds fewer than `wanted` admitted articles while articles it left out might
    /// qualify.
    func precomputedCandidates(of row: Int, filter: RowFilter, wanted: Int) -> [ScoredIndex]? {
        let lists = model.neighborLists
        guard wanted <= lists.width else { return nil }
        let picked = lists.list(of: row).filter { filter.admits($0.index) }
        // Lists as wide as the corpus hold every other article.
        return picked.count >= wanted || lists.width >= model.articles.count - 1 ? picked : nil
    }

    /// The newest admitted articles (model rows and upserts), newest first.
    func newest(admitted admission: Admission, count: Int) -> [Int] {
        guard count > 0 else { return [] }
        let filter = RowFilter(admission, index: self)
        var found: [(slot: Int, date: Date)] = []
        for row in model.rowsByRecency {
            let row = Int(row)
            guard filter.admits(row) else { continue }
            found.append((row, model.articles[row].publishedAt ?? .distantPast))
            if found.count == count { break }
        }
        for (i, upsert) in upserts.enumerated() where admission.admits(upsert.metadata) {
            found.append((model.articles.count + i, upsert.metadata.publishedAt ?? .distantPast))
        }
        return found.sorted { ($0.date, $1.slot) > ($1.date, $0.slot) }.prefix(count).map(\.slot)
    }
}
