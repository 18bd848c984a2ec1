import Foundation
import KindredText

/// The per-thread result of analysing a contiguous slice of articles.
///
/// Terms get chunk-local ids so that a term string is stored once per chunk, not once per
/// article; each article is then a run of `(local id, weighted tf)` pairs.
struct AnalysedChunk {
    /// The row of the chunk's first article; chunks are put back in this order.
    var firstRow = 0
    var terms: [String] = []
    var documentFrequencies: [Int32] = []
    /// Per local term: Σ tf and Σ tf·ln tf over the chunk's articles (for log-entropy).
    var totalCounts: [Double] = []
    var countLogCounts: [Double] = []
    /// The full texts' counts (`TermCounter.counts`).
    var counts = TermRuns()
    /// The headlines' (title and tags, `TermCounter.headlineCounts`), in the same local ids: a
    /// term found only in headlines (title weight 0) has a local id and a document frequency of 0.
    var headlines = TermRuns()
    /// Per local term, the token text it came from most often (`Analyzer.surfaceForms`); nil for
    /// phrases and for terms no token text mapped to.
    var surfaceForms: [SurfaceForm?] = []
}

/// One kind of count of a chunk's articles: per article, a run of `(local id, tf)` pairs, each id
/// once, its tf summed as the article's terms are added.
struct TermRuns {
    var offsets: [Int] = [0]
    var ids: [Int32] = []
    var frequencies: [Float] = []
    /// Per local id, while analysing: the last article that counted it, and where its count is.
    private var lastRow: [Int] = [], slot: [Int] = []

    /// Makes room for a new local id.
    mutating func addTerm() {
        lastRow.append(-1)
        slot.append(0)
    }

    /// Adds `weight` to term `id` in article `row`, the article being analysed.
    mutating func add(_ id: Int, _ weight: Float, row: Int) {
        if lastRow[id] == row {
            frequencies[slot[id]] += weight
        } else {
            lastRow[id] = row
            slot[id] = frequencies.count
            ids.append(Int32(id))
            frequencies.append(weight)
        }
    }

    /// Closes the article being analysed.
    mutating func endArticle() { offsets.append(ids.count) }

    /// Drops the bookkeeping of analysis once the chunk is done.
    mutating func finish() {
        lastRow = []
        slot = []
    }
}
