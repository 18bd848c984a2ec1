import CKindredKernels
import KindredLinearAlgebra

/// Rounds of neighbour descent (Dong, Moses & Li, "Efficient k-nearest neighbor graph
/// construction for generic similarity measures", WWW 2011): the cheap first refinement of each
/// row's nearest others in `EmbeddingIndex.descendingNeighbors`.
///
/// A neighbour's neighbour is likely a neighbour. Each round scores every row against the
/// nearest of its `joined` nearest and of `joined` rows that chose it, by int8 code, and keeps the
/// best `width`. A round scores about `2 · joined²` rows for each row, against the `n` of the
/// all-pairs search (`EmbeddingIndex.allNeighbors`). Every round reads one table and writes
/// another, so the result is the same whatever the threads.
struct NeighborDescent {
    /// Neighbours of a row joined in a round, of those it chose and of those that chose it, and
    /// how many of each of theirs are scored: 2 · 16² rows a row and round.
    static let joined = 16
    /// Rounds run before the walks: each gains less than the one before, and a walk gains more
    /// for its cost from the third on (`EmbeddingIndex.descendingNeighbors`).
    static let rounds = 2
    /// Rows a walk keeps: three times a 40-deep search, so that its coarse scores lose few.
    static let walkBeam = 128
    static let maximumWalks = 2
    /// The sampled recall of the exact nearest at which refinement stops.
    static let target: Float = 0.98
    /// The least gain of sampled recall a walk must bring for another to run.
    static let leastGain: Float = 0.005
    /// Rows whose exact nearest are found to measure the refinement.
    static let sampled = 256

    /// The rows' int8 codes (`QuantizedRows`), row-major, and their scales.
    let codes: [Int8]
    let scales: [Float]
    let isEmptyRow: [Bool]
    let width: Int

    var count: Int { isEmptyRow.count }
    var dimensions: Int { codes.count / max(count, 1) }

    /// What the descent found and how sure it is.
    struct Outcome: Sendable {
        /// Each row's nearest others, best first, −1 padded.
        var table: NearestTable
        var rounds: Int
        /// Walks run after the rounds (`EmbeddingIndex.descendingNeighbors`).
        var walks = 0
        /// The share of the sampled rows' exact `width` nearest (by int8 code) the table holds.
        var recall: SampledRecall
        /// The sampled rows' exact nearest.
        var truth: SampledTruth
    }

    /// `rounds` rounds from `start` (`count × width` rows, −1 padded), fewer when the sample's
    /// recall reaches `target` first.
    func descended(from start: [Int32], seed: UInt64) -> Outcome {
        let truth = exactNearest(of: sample(seed: seed))
        var outcome = Outcome(
            table: NearestTable(width: width, rows: start), rounds: 0,
            recall: truth.recall(of: NearestTable(width: width, rows: start)), truth: truth)
        while outcome.rounds < Self.rounds && !outcome.recall.reaches(Self.target) {
            outcome.table = round(outcome.table)
            outcome.recall = truth.recall(of: outcome.table)
            outcome.rounds += 1
        }
        return outcome
    }

    /// One round: every row's best `width` among its nearest in `table`, theirs and those of the
    /// rows that chose it.
    func round(_ table: NearestTable) -> NearestTable {
        let n = count, w = width
        let chosenBy = ReverseLinks(table.rows, width: w)
        var next = [Int32](repeating: -1, count: n * w)
        codes.withUnsafeBufferPointer { codes in
            next.withUnsafeMutableBufferPointer { out in
                Parallel.forEachChunk(of: n) { range in
                    var scorer = RowScorer(codes: codes, scales: scales, isEmptyRow: isEmptyRow, rows: n)
                    for a in range where !isEmptyRow[a] {
                        join(a, table: table, chosenBy: chosenBy, into: &scorer)
                        for (slot, found) in scorer.best(w).enumerated() { out[a * w + slot] = Int32(found) }
                    }
                }
            }
        }
        return NearestTable(width: w, rows: next)
    }

    /// Offers `scorer` row `a`'s own nearest in `table`, and the first `joined` nearest of its
    /// first `joined` and of the first `joined` rows that chose it.
    private func join(_ a: Int, table: NearestTable, chosenBy: ReverseLinks, into scorer: inout RowScorer) {
        let w = width, joined = min(Self.joined, w), rows = table.rows
        scorer.start(a)
        for slot in 0..<w { scorer.add(rows[a * w + slot]) }
        let first = chosenBy.offsets[a], reverse = first..<min(chosenBy.offsets[a + 1], first + joined)
        for b in rows[a * w..<a * w + joined] + chosenBy.chosenBy[reverse] where b >= 0 {
            for slot in 0..<joined { scorer.add(rows[Int(b) * w + slot]) }
        }
    }

    /// `sampled` rows that can be ranked, drawn by `seed`.
    func sample(seed: UInt64) -> [Int] {
        var generator = SeededGenerator(seed: seed ^ 0xD_E5CE)
        let usable = isEmptyRow.indices.filter { !isEmptyRow[$0] }
        return generator.distinct(min(Self.sampled, usable.count), below: usable.count).map { usable[$0] }
    }

    /// The exact `width` nearest of `rows` by int8 code: every row scored, a block of rows at a
    /// time for all the sample, the sample shared out among the cores.
    func exactNearest(of rows: [Int]) -> SampledTruth {
        let n = count, d = dimensions, block = 4096
        let found = Parallel.map(rows.count) { i in
            let a = rows[i]
            var top = TopK(k: width)
            var dots = [Float](repeating: 0, count: block)
            codes.withUnsafeBufferPointer { codes in
                let query = codes.baseAddress! + a * d
                for start in stride(from: 0, to: n, by: block) {
                    let size = min(block, n - start)
                    kindred_int8_dots(query, 1, codes.baseAddress! + start * d, size, d, &dots)
                    for j in 0..<size where start + j != a && !isEmptyRow[start + j] {
                        top.offer(index: start + j, score: dots[j] * scales[start + j])
                    }
                }
            }
            return top.sorted().map(\.index)
        }
        return SampledTruth(rows: rows, nearest: found)
    }
}

/// Each row's nearest others, `width` a row, best first, −1 padded: the candidates an all-pairs
/// search found (`EmbeddingIndex.allNeighbors` with `.given`).
public struct NearestTable: Sendable, Equatable {
    public let width: Int
    /// `rows × width` row numbers.
    public let rows: [Int32]

    /// The first `columns` of each row (−1 padded when the table is narrower).
    func columns(_ columns: Int) -> [Int32] {
        let n = rows.count / max(width, 1)
        var result = [Int32](repeating: -1, count: n * columns)
        for a in 0..<n {
            for slot in 0..<min(columns, width) { result[a * columns + slot] = rows[a * width + slot] }
        }
        return result
    }

    /// Row `a`'s nearest, best first.
    func nearest(of a: Int) -> [Int] {
        var result: [Int] = []
        for slot in 0..<width {
            let b = rows[a * width + slot]
            if b < 0 { break }
            result.append(Int(b))
        }
        return result
    }
}

/// Sampled rows' exact nearest, against which a table's recall is measured.
struct SampledTruth: Sendable {
    let rows: [Int]
    let nearest: [[Int]]

    /// The share of the sampled rows' exact nearest that `table` holds.
    func recall(of table: NearestTable) -> SampledRecall {
        var found: [Int] = [], wanted: [Int] = []
        for (row, exact) in zip(rows, nearest) {
            let held = Set(table.nearest(of: row))
            found.append(exact.count(where: held.contains))
            wanted.append(exact.count)
        }
        return SampledRecall(found: found, wanted: wanted)
    }
}

/// One worker's scoring of a row's candidates by int8 code: each candidate once, never the row
/// itself or a row that can't be ranked.
private struct RowScorer {
    let codes: UnsafeBufferPointer<Int8>
    let scales: [Float]
    let isEmptyRow: [Bool]
    /// The row each row was last added for: a candidate is added once a row.
    private var addedFor: [Int32]
    private var candidates: [Int32] = []
    private var dots: [Float] = []
    private var row = -1

    init(codes: UnsafeBufferPointer<Int8>, scales: [Float], isEmptyRow: [Bool], rows: Int) {
        (self.codes, self.scales, self.isEmptyRow) = (codes, scales, isEmptyRow)
        addedFor = [Int32](repeating: -1, count: rows)
    }

    mutating func start(_ a: Int) {
        row = a
        candidates.removeAll(keepingCapacity: true)
        addedFor[a] = Int32(a)
    }

    @inline(__always)
    mutating func add(_ b: Int32) {
        guard b >= 0, addedFor[Int(b)] != Int32(row), !isEmptyRow[Int(b)] else { return }
        addedFor[Int(b)] = Int32(row)
        candidates.append(b)
    }

    /// The best `k` candidates by int8 cosine, best first.
    mutating func best(_ k: Int) -> [Int] {
        let d = codes.count / max(isEmptyRow.count, 1)
        if dots.count < candidates.count { dots = [Float](repeating: 0, count: candidates.count * 2) }
        kindred_int8_dots_gathered(
            codes.baseAddress! + row * d, codes.baseAddress!, candidates, candidates.count, d, &dots)
        var top = TopK(k: k)
        for (j, b) in candidates.enumerated() { top.offer(index: Int(b), score: dots[j] * scales[Int(b)]) }
        return top.sorted().map(\.index)
    }
}
