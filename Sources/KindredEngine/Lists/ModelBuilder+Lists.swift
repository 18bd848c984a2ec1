import Foundation
import KindredLinearAlgebra

/// The build's last stage: every article's related list, precomputed for by-id requests, with the
/// hub cap applied.
extension ModelBuilder {
    /// The precomputed lists of `model`, `width` deep, with the hub cap of the parameters applied,
    /// and its hubness report; notices go to `clock`.
    func relatedLists(of model: Model, width: Int, clock: inout StageClock) throws -> (NeighborLists, HubnessReport) {
        let ids = model.articles.map(\.id)
        let depth = HubnessReport.depth
        // With the hub cap on, lists are computed `depth` deeper than they are kept: the cap takes
        // hubs out of lists, and the entries below move up into the gaps.
        let computed = parameters.hubCap > 0 ? min(width + depth, ids.count - 1) : width
        let progress = clock.progress
        var lists = try clock.timed(.neighbors) {
            try Self.neighborLists(of: model, width: computed, progress: progress)
        }
        var report = HubnessReport(
            measured: HubnessStatistics(lists: lists, depth: depth, ids: ids), cap: nil, cappedArticles: 0,
            afterCap: nil)
        guard parameters.hubCap > 0 else { return (lists, report) }
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
        return (lists, report)
    }

    /// The best `width` related articles of every article (`Model.rankAll`), padded with −1.
    static func neighborLists(of model: Model, width: Int, progress: (BuildProgress) -> Void) throws -> NeighborLists {
        let n = model.articles.count
        var indices = [Int32](repeating: -1, count: n * width)
        var scores = [Float](repeating: 0, count: n * width)
        try model.rankAll(k: width, progress: { progress(BuildProgress(stage: .neighbors, fraction: $0)) }) {
            row, ranked in
            for (slot, entry) in ranked.enumerated() {
                indices[row * width + slot] = Int32(entry.index)
                scores[row * width + slot] = entry.score
            }
        }
        return NeighborLists(width: width, indices: indices, scores: scores)
    }

    /// The capped lists cut to `width`, each list the cap left shorter than the request default
    /// (`HubnessReport.depth`, or `width` when smaller) topped up by a search that skips the
    /// capped articles. Without it, a by-id request on such a list would fall back to the full
    /// search at every call, which costs most at the largest archives (about 10 ms at a million
    /// articles, for 0.4 % of 30-deep lists there) and brings the capped hubs back.
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
            let more = try model.rank(query, k: width) { $0 == row || have.contains($0) || capped.contains(Int32($0)) }
            return (kept + more).sorted { ($0.score, $1.index) > ($1.score, $0.index) }
        }
        let refilled = Dictionary(uniqueKeysWithValues: zip(short, refills))
        return (
            lists.rebuilt(width: width, rows: n) { refilled[$0] ?? lists.list(of: $0) },
            zip(short, refills).filter { $1.count > lists.count(of: $0) }.count
        )
    }
}
