import Foundation
import KindredLinearAlgebra

/// The build's last stage: every article's related list, precomputed for by-id requests, with the
/// hub cap applied.
extension ModelBuilder {
    /// The precomputed lists of `model`, `width` deep, with the hub cap of the parameters applied,
    /// and its hubness report; notices go to `clock`.
    ///
    /// With `keepingNearest`, it also returns each article's `NeighborGraph.initialNeighbors` nearest
    /// others by LSA cosine, before re-ranking and cap (`neighborLists`), for the graph's build,
    /// when the search finds that many; else that array is empty.
    ///
    /// With `partition`, each article's candidates are found by neighbour descent over its lists
    /// (`NeighborDescent`) instead of scoring every pair; the lists' agreement with exact ones is
    /// measured on a sample (`ListsDescent`).
    func relatedLists(
        of model: Model, width: Int, keepingNearest: Bool = false, through partition: InvertedFileIndex? = nil,
        clock: inout StageClock
    ) throws -> (NeighborLists, HubnessReport, nearest: [Int32], descent: ListsDescent?) {
        let ids = model.articles.map(\.id)
        let depth = HubnessReport.depth
        // With the hub cap on, lists are computed `depth` deeper than they are kept: the cap takes
        // hubs out of lists, and the entries below move up into the gaps.
        let computed = parameters.hubCap > 0 ? min(width + depth, ids.count - 1) : width
        let progress = clock.progress
        // The search finds `max(computed, rerankDepth)` nearest; fewer than the graph's build
        // starts from would make a sparser graph than the lists' own scan.
        let searched = max(computed, model.parameters.rerankDepth)
        let kept = keepingNearest && searched >= NeighborGraph.initialNeighbors ? NeighborGraph.initialNeighbors : 0
        var (lists, nearest, descent) = try clock.timed(.neighbors) {
            try Self.neighborLists(
                of: model, width: computed, keepingNearest: kept, through: partition, seed: parameters.seed,
                progress: progress)
        }
        if let descent {
            clock.notices.append(descent.summary)
        }
        var report = HubnessReport(
            measured: HubnessStatistics(lists: lists, depth: depth, ids: ids), cap: nil, cappedArticles: 0,
            afterCap: nil)
        guard parameters.hubCap > 0 else { return (lists, report, nearest, descent) }
        let capped = lists.cappingHubs(at: parameters.hubCap, depth: depth, rows: ids.count)
        let refill = try Self.refillingShortLists(capped.lists, of: model, withoutCapped: capped.capped, width: width)
        lists = refill.lists
        if refill.refilled > 0 {
            clock.notices.append(
                "hub cap: \(refill.refilled) list(s) left with fewer than \(min(depth, width)) entries were refilled by a search without the capped articles"
            )
        }
        report.cap = parameters.hubCap
        report.cappedArticles = capped.capped.count
        report.afterCap = HubnessStatistics(lists: lists, depth: depth, ids: ids)
        return (lists, report, nearest, descent)
    }

    /// The best `width` related articles of every article (`Model.rankAll`), padded with −1; and,
    /// when `keepingNearest` is above 0, that many of each article's nearest by LSA cosine as the
    /// search found them before re-ranking (`n × keepingNearest`, −1 padded; else empty).
    ///
    /// The nearest are the graph's best candidates: exact, where the lists' own scan
    /// (`NeighborGraph.built`) reads 8 of thousands of lists with 4-bit codes. Keeping them costs
    /// 4 bytes a neighbour for the rest of the build.
    ///
    /// With `partition`, the candidates are each article's nearest found by neighbour descent
    /// (`EmbeddingIndex.descendingNeighbors`, the first half of the progress), and the lists of
    /// `ListsDescent.sampled` articles are compared with exact ones.
    static func neighborLists(
        of model: Model, width: Int, keepingNearest: Int = 0, through partition: InvertedFileIndex? = nil,
        seed: UInt64 = ModelParameters().seed, progress: (BuildProgress) -> Void
    ) throws -> (NeighborLists, nearest: [Int32], descent: ListsDescent?) {
        let n = model.articles.count
        let searched = max(width, model.parameters.rerankDepth)
        let descended = partition.map { partition in
            model.index.descendingNeighbors(over: partition, width: searched, seed: seed) {
                progress(BuildProgress(stage: .neighbors, fraction: $0 / 2))
            }
        }
        let share = descended == nil ? 1.0 : 0.5
        var indices = [Int32](repeating: -1, count: n * width)
        var scores = [Float](repeating: 0, count: n * width)
        let kept = keepingNearest
        var nearest = [Int32](repeating: -1, count: n * kept)
        try nearest.withUnsafeMutableBufferPointer { buffer in
            let out = buffer
            // Each row is given once, on some worker thread: the rows' slots never overlap.
            let record: ((Int, [ScoredIndex]) -> Void)? =
                kept == 0
                ? nil
                : { row, found in
                    for (slot, entry) in found.prefix(kept).enumerated() { out[row * kept + slot] = Int32(entry.index) }
                }
            try model.rankAll(
                k: width, candidates: descended?.table,
                progress: { progress(BuildProgress(stage: .neighbors, fraction: 1 - share + share * $0)) },
                nearest: record
            ) { row, ranked in
                for (slot, entry) in ranked.enumerated() {
                    indices[row * width + slot] = Int32(entry.index)
                    scores[row * width + slot] = entry.score
                }
            }
        }
        let lists = NeighborLists(width: width, indices: indices, scores: scores)
        let descent = try descended.map { found in
            ListsDescent(
                rounds: found.rounds, walks: found.walks, nearestRecall: found.recall.mean,
                listsRecall: try ListsDescent.agreement(of: lists, with: model, seed: seed))
        }
        return (lists, nearest, descent)
    }

    /// The capped lists cut to `width`, each list the cap left shorter than the request default
    /// (`HubnessReport.depth`, or `width` when smaller) topped up by a search that skips the
    /// capped articles. Without it, a by-id request on such a list would fall back to the full
    /// search at every call, which costs most at the largest archives, and brings the capped hubs
    /// back.
    ///
    /// - Returns: the lists and how many were refilled.
    static func refillingShortLists(
        _ lists: NeighborLists, of model: Model, withoutCapped capped: Set<Int32>, width: Int
    ) throws -> (lists: NeighborLists, refilled: Int) {
        let n = model.articles.count
        let wanted = min(HubnessReport.depth, width)
        let short = (0..<n).filter { lists.count(of: $0) < wanted && !model.index.isEmptyRow[$0] }
        let refills = try Parallel.map(short.count) { i in
            let row = short[i], kept = lists.list(of: row)
            let have = Set(kept.map(\.index))
            guard let query = model.queryVector(row: row) else { return kept }
            let skipped = { (other: Int) in other == row || have.contains(other) || capped.contains(Int32(other)) }
            let depth = model.listsSemanticWeight > 0 ? max(width, model.parameters.rerankDepth) : width
            let words = try model.rank(query, k: depth, excluding: skipped)
            let more = model.listEntries(row: row, words: words, query: query, k: width, excluding: skipped)
            return (kept + more).sorted { ($0.score, $1.index) > ($1.score, $0.index) }
        }
        let refilled = Dictionary(uniqueKeysWithValues: zip(short, refills))
        return (
            lists.rebuilt(width: width, rows: n) { refilled[$0] ?? lists.list(of: $0) },
            zip(short, refills).filter { $1.count > lists.count(of: $0) }.count
        )
    }
}
