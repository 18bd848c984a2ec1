import Foundation
import KindredLinearAlgebra

/// Where a list's candidates come from: the row's precomputed list or an exact search, the
/// upserted articles merged in, and the newest articles for a fallback.
extension LiveIndex {
    // MARK: - Slots: model rows, then upserted articles

    /// Model rows are slots `0..<n`; upserted article `i` is slot `n + i`.
    func slotMetadata(_ slot: Int) -> ArticleMetadata {
        slot < model.articles.count ? model.articles[slot] : upserts[slot - model.articles.count].metadata
    }

    /// `slotMetadata(slot).publishedAt` without making the article's strings.
    func slotPublishedAt(_ slot: Int) -> Date? {
        slot < model.articles.count
            ? model.articles.publishedAt(of: slot) : upserts[slot - model.articles.count].metadata.publishedAt
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
    ///
    /// A class: a search asks it about every row that beats its running threshold, through
    /// closures that copied a struct (and retained each of the model's arrays) on every call,
    /// which was half of a million-article draft's time on the approximate index.
    final class RowFilter {
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

        /// Every model row the filter can admit, when the model's tables narrow them
        /// (`Model.rows(section:languageCode:since:until:)`).
        var rows: ArraySlice<Int32>? {
            model.rows(
                section: admission.section, languageCode: languageCode, since: admission.since, until: admission.until)
        }

        /// Asked of every row a search scores or keeps (hundreds a request): what no filter set
        /// costs nothing, neither a hash of the row nor its date's lookup (2.5 % of a server's
        /// CPU under unfiltered drafts at a million articles).
        func admits(_ row: Int) -> Bool {
            if !excludedRows.isEmpty && excludedRows.contains(row) { return false }
            if !hidden.isEmpty && hidden.contains(row) { return false }
            if let languageCode, model.languageCodes[row] != languageCode { return false }
            if let section = admission.section, !model.articles.hasSection(row, equalTo: section) { return false }
            guard admission.since != nil || admission.until != nil else { return true }
            return admission.admitsDate(model.articles.publishedAt(of: row))
        }
    }

    /// The candidates for the ranked part of a list, best first by relevance: up to
    /// `max(wanted, rerankDepth)` of them, so the shaping steps have spares; and whether they
    /// came from a search rather than the row's precomputed list.
    func candidates(
        _ vector: Model.QueryVector, row: Int?, meaning: [Float]? = nil, admission: Admission, wanted: Int,
        query: RelatedQuery
    ) throws -> (candidates: [ScoredIndex], searched: Bool) {
        let poolSize = max(wanted, model.parameters.rerankDepth)
        let filter = RowFilter(admission, index: self)
        // Freshness and diversity choose among the whole pool; a narrower list can't feed them.
        let reorders = query.freshness != nil || query.diversity < 1
        // A row's list is fused with its meaning at the lists' weight when it has a meaning: it
        // answers a query at that weight as it is, and at any weight when it is on words alone.
        let meaningWeight = meaning != nil && model.semantic != nil ? query.semanticWeight : 0
        let listWeight = row.map { model.semantic?.isCovered($0) ?? true ? model.listsSemanticWeight : 0 } ?? 0
        // An exact query checks an answer: from 300,000 articles the lists' candidates are found
        // approximately (`ListsDescent`), so it searches.
        let listed =
            !query.exact && (listWeight == 0 || listWeight == meaningWeight)
            ? row.flatMap { precomputedCandidates(of: $0, filter: filter, wanted: reorders ? poolSize : wanted) } : nil
        let base =
            try listed
            ?? model.rank(vector, k: poolSize, exact: query.exact, amongRows: filter.rows) { !filter.admits($0) }
        let fusing = meaning.flatMap { meaningWeight > 0 ? (meaning: $0, weight: meaningWeight) : nil }
        guard let fusing, listed == nil || listWeight != meaningWeight else {
            // Words alone, or a list fused at the query's weight already.
            return (
                merged(base, vector: vector, admission: admission, poolSize: poolSize, fusing: fusing), listed == nil
            )
        }
        let rows = try fusingMeaning(
            base, vector: vector, meaning: fusing.meaning, filter: filter, poolSize: poolSize, query: query)
        return (merged(rows, vector: vector, admission: admission, poolSize: poolSize, fusing: fusing), true)
    }

    /// `base` (model rows, best first) with the upserts `admission` admits merged in by relevance,
    /// best first.
    ///
    /// Upserts are ranked in the model's two stages: the `rerankDepth` nearest by LSA cosine, then
    /// the blend for those alone. An upsert beyond them could not be among the `rerankDepth`
    /// nearest of the model and the upserts together, so a reindex would not re-score it either;
    /// and the blend's sparse products, not the dense ones, are what a long journal costs.
    ///
    /// - Parameter fusing: the query's meaning and weight when the answer blends meaning: the
    ///   upserts nearest by meaning join those nearest by words, and each upsert with a meaning
    ///   is scored `(1 − s)·words + s·cosine`, as `Model.fusing` scores model rows.
    private func merged(
        _ base: [ScoredIndex], vector: Model.QueryVector, admission: Admission, poolSize: Int,
        fusing: (meaning: [Float], weight: Float)?
    ) -> [ScoredIndex] {
        // Both are sorted already; only upserts need merging in.
        guard !upserts.isEmpty else { return base }
        let depth = max(poolSize, model.parameters.rerankDepth)
        let admits = { (slot: Int) in
            admission.admits(self.upserts[slot].metadata, languageCode: self.upserts[slot].languageCode)
        }
        // Most queries admit every upsert but the excluded ids (the query article among them): the
        // nearest are found without asking, and the filtered pass runs only when a filter left
        // fewer than `depth` of them.
        let unfiltered = nearestUpserts(to: vector, depth: depth + admission.excludedIDs.count, where: nil)
        var nearest = Array(unfiltered.filter { admits($0.index) }.prefix(depth))
        if nearest.count < depth && unfiltered.count == depth + admission.excludedIDs.count {
            nearest = nearestUpserts(to: vector, depth: depth, where: admits)
        }
        // Upsert slot → its score on words: the blend, from its LSA cosine with the query.
        var words: [Int: Float] = [:]
        func blend(_ slot: Int, lsa: Float) {
            guard let other = upserts[slot].vector else { return }
            words[slot] = model.blend(vector, lsa: lsa, sparse: other.sparse, headline: other.headline)
        }
        for candidate in nearest { blend(candidate.index, lsa: candidate.score) }
        if let fusing {
            for slot in nearestUpserts(meaning: fusing.meaning, depth: depth, where: admits) where words[slot] == nil {
                words[slot] = 0  // no known term: meaning alone
                if let other = upserts[slot].vector { blend(slot, lsa: Vector.dot(vector.dense, other.dense)) }
            }
        }
        var top = TopK(k: poolSize)
        for candidate in base { top.offer(index: candidate.index, score: candidate.score) }
        let offset = model.articles.count
        for (slot, score) in words {
            let cosine = fusing.flatMap { meaningCosine($0.meaning, slot: offset + slot) }
            let weight = fusing?.weight ?? 0
            top.offer(index: offset + slot, score: cosine.map { (1 - weight) * score + weight * $0 } ?? score)
        }
        return top.sorted()
    }

    /// The `depth` admitted upserts nearest `meaning` by the cosine of their meanings, as slots
    /// among the upserts. An exact pass: the overlay is a day's publishing.
    private func nearestUpserts(meaning: [Float], depth: Int, where admitted: (Int) -> Bool) -> [Int] {
        var nearest = TopK(k: depth)
        for slot in upserts.indices {
            guard let other = upserts[slot].meaning, admitted(slot) else { continue }
            nearest.offer(index: slot, score: Vector.dot(meaning, other))
        }
        return nearest.sorted().map(\.index)
    }

    /// The `depth` upserts nearest `vector` by LSA cosine among those `admitted` (all when nil),
    /// best first. Read in place: copying an upsert out of the array would retain each of its
    /// strings and arrays.
    private func nearestUpserts(
        to vector: Model.QueryVector, depth: Int, where admitted: ((Int) -> Bool)?
    ) -> [ScoredIndex] {
        var nearest = TopK(k: depth)
        upserts.withUnsafeBufferPointer { all in
            vector.dense.withUnsafeBufferPointer { query in
                for slot in all.indices where all[slot].vector != nil {
                    if let admitted, !admitted(slot) { continue }
                    let lsa = all[slot].vector!.dense.withUnsafeBufferPointer {
                        Vector.dot(query.baseAddress!, $0.baseAddress!, count: query.count)
                    }
                    nearest.offer(index: slot, score: lsa)
                }
            }
        }
        return nearest.sorted()
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
            found.append((row, model.articles.publishedAt(of: row) ?? .distantPast))
            if found.count == count { break }
        }
        for (i, upsert) in upserts.enumerated()
        where admission.admits(upsert.metadata, languageCode: upsert.languageCode) {
            found.append((model.articles.count + i, upsert.metadata.publishedAt ?? .distantPast))
        }
        return found.sorted { ($0.date, $1.slot) > ($1.date, $0.slot) }.prefix(count).map(\.slot)
    }
}
