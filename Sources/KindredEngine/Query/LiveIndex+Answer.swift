import Foundation
import KindredLinearAlgebra

/// The answer pipeline, one stage per function over a `CandidatePool`:
///
/// 1. filter: `Admission` (excluded ids, section, language, dates, max age), blocked links and,
///    for drafts, articles already linked; the candidates that pass, from the precomputed list or
///    an exact search, with upserts merged in;
/// 2. floor: the relevance floor, on the blended score;
/// 3. freshness: the score multiplied by a recency factor;
/// 4. collapse: near-duplicates (TF-IDF cosine over the threshold) keep only the best;
/// 5. diversity: maximal marginal relevance;
/// 6. overrides: pinned links first, then the ranked ones, then the fallback to fill a short list;
/// then explanations on the results.
extension LiveIndex {
    func answer(_ subject: Subject, query: RelatedQuery) throws -> RelatedList {
        let now = query.referenceTime ?? Date()
        let (admission, pinned) = filter(for: subject, query: query, now: now)
        let wanted = query.k - pinned.count
        var pool = CandidatePool(index: self, subject: subject)
        if wanted > 0, let vector = subject.vector {
            let (candidates, searched) = try self.candidates(
                vector, row: subject.row, meaning: subject.meaning, admission: admission, wanted: wanted, query: query)
            pool.searched = searched
            pool.floor(candidates, minimum: query.minimumScore, wanted: wanted)
            if let freshness = query.freshness { pool.freshen(freshness, now: now) }
            if let threshold = query.duplicateThreshold {
                pool.collapseDuplicates(threshold: threshold, limit: query.diversity < 1 ? pool.ranked.count : wanted)
            }
            pool.diversify(k: wanted, lambda: query.diversity)
        }
        var results = withOverrides(&pool, pinned: pinned, admission: admission, query: query)
        for i in results.indices { results[i].alreadyLinked = subject.linked.contains(results[i].article.id) }
        if query.explain { explain(&results, pool: &pool, semanticWeight: query.semanticWeight) }
        return RelatedList(results: results, requested: query.k, belowFloor: pool.belowFloor, searched: pool.searched)
    }

    /// Stage 1: what may be a result, and the pinned slots, which ignore the filters (an editor
    /// chose them) but not deletion or the query itself.
    func filter(for subject: Subject, query: RelatedQuery, now: Date) -> (Admission, pinned: [Int]) {
        var admission = query.admission(subjectLanguage: subject.language, now: now)
        admission.excludedIDs.formUnion(subject.excluded)
        if query.linkedArticles == .exclude { admission.excludedIDs.formUnion(subject.linked) }
        let entry = subject.overridesID.flatMap { overrides.entry(for: $0) }
        admission.excludedIDs.formUnion(entry?.blocked ?? [])
        let pinned = Array(
            (entry?.pinned ?? []).filter { !subject.excluded.contains($0) }.compactMap(slot(of:)).prefix(query.k))
        admission.excludedIDs.formUnion(pinned.map { slotMetadata($0).id })
        return (admission, pinned)
    }

    /// Stage 6: pinned results first, then the ranked ones, then the newest admitted articles of
    /// the section when the fallback is on and the list is short.
    func withOverrides(
        _ pool: inout CandidatePool, pinned: [Int], admission: Admission, query: RelatedQuery
    ) -> [RelatedArticle] {
        var results = pinned.map {
            RelatedArticle(article: slotMetadata($0), score: pool.relevance($0), reason: .pinned)
        }
        results += pool.ranked.map { RelatedArticle(article: slotMetadata($0.index), score: $0.score) }
        guard results.count < query.k, query.fallback == .section else { return results }
        var fill = admission
        fill.section = admission.section ?? pool.subject.section
        fill.excludedIDs.formUnion(results.map(\.article.id))
        for slot in newest(admitted: fill, count: query.k - results.count) {
            results.append(RelatedArticle(article: slotMetadata(slot), score: pool.relevance(slot), reason: .fallback))
        }
        return results
    }

    /// Attaches an `Explanation` to every result the subject has a vector for.
    ///
    /// - Parameter semanticWeight: the query's weight of meaning (0: the answer ranked on words).
    func explain(_ results: inout [RelatedArticle], pool: inout CandidatePool, semanticWeight: Float) {
        guard let query = pool.subject.vector else { return }
        for i in results.indices {
            guard let slot = slot(of: results[i].article.id), let other = pool.vector(slot) else { continue }
            let factor = pool.freshnessFactors[slot] ?? 1
            let meaning = semanticWeight > 0 ? pool.subject.meaning : nil
            let cosine = meaning.flatMap { meaningCosine($0, slot: slot) }
            results[i].explanation = model.explanation(
                of: query, against: other, freshness: factor, meaning: cosine.map { ($0, semanticWeight) }
            ) {
                pool.topTerms(ofDimension: $0, for: query)
            }
        }
    }
}

extension CandidatePool {
    /// Stage 2: drops candidates under the relevance floor, counting those that would have had one
    /// of the `wanted` places.
    mutating func floor(_ candidates: [ScoredIndex], minimum: Float, wanted: Int) {
        let relevant = candidates.filter { $0.score >= minimum }
        belowFloor = min(wanted, candidates.count) - min(wanted, relevant.count)
        ranked = relevant
    }

    /// Stage 3: each score times its article's freshness factor, re-sorted.
    mutating func freshen(_ freshness: Freshness, now: Date) {
        ranked = ranked.map { candidate in
            let factor = freshness.factor(published: index.slotPublishedAt(candidate.index), now: now)
            freshnessFactors[candidate.index] = factor
            return ScoredIndex(index: candidate.index, score: candidate.score * factor)
        }
        ranked.sort { ($0.score, $1.index) > ($1.score, $0.index) }
    }

    /// Stage 4: of near-duplicates (TF-IDF cosine ≥ `threshold`), only the best stays; the first
    /// `limit` places are settled.
    mutating func collapseDuplicates(threshold: Float, limit: Int) {
        let candidates = ranked
        ranked = Diversity.collapsingDuplicates(candidates, threshold: threshold, limit: limit) { a, b in
            terms(a.index).dot(terms(b.index))
        }
    }

    /// Stage 5: maximal marginal relevance with λ = `lambda` over LSA cosines, `k` picked.
    mutating func diversify(k: Int, lambda: Float) {
        let candidates = ranked
        ranked = Diversity.maximalMarginalRelevance(candidates, k: k, lambda: lambda, score: \.score) { a, b in
            guard let first = vector(a.index), let second = vector(b.index) else { return 0 }
            return Vector.dot(first.dense, second.dense)
        }
    }
}
