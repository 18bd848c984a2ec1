import CKindredKernels
import KindredLinearAlgebra

/// `InvertedFileIndex` made ready to search: the articles' int8 codes and scales (`QuantizedRows`)
/// laid out list by list, so a probed list is one contiguous run of codes for
/// `kindred_int8_dots` (AVX2 or baseline, `CKindredKernels/Int8Dots.c`).
///
/// Made when a model is loaded to search approximately, in place of the exact scan's product
/// blocks: the same codes in another order, so the memory is the same either way.
struct InvertedLists: Sendable {
    let index: InvertedFileIndex
    let dimensions: Int
    /// `rows × dimensions` codes, in `index.rows` order.
    let codes: [Int8]
    /// Each position's scale; 0 for an all-zero row.
    let scales: [Float]

    init(_ index: InvertedFileIndex, vectors: DenseMatrix) {
        self.index = index
        let d = vectors.columns, n = vectors.rows
        dimensions = d
        var codes = [Int8](repeating: 0, count: n * d)
        var scales = [Float](repeating: 0, count: n)
        vectors.storage.withUnsafeBufferPointer { v in
            codes.withUnsafeMutableBufferPointer { q in
                scales.withUnsafeMutableBufferPointer { s in
                    index.rows.withUnsafeBufferPointer { rows in
                        Parallel.forEachChunk(of: n) { positions in
                            for p in positions {
                                s[p] = QuantizedRows.quantize(
                                    v.baseAddress! + Int(rows[p]) * d, count: d, into: q.baseAddress! + p * d)
                            }
                        }
                    }
                }
            }
        }
        self.codes = codes
        self.scales = scales
    }

    /// Positions scored per `kindred_int8_dots` call when a whole range is scanned.
    static let chunk = 4_096

    /// The rows of the best `count` int8 scores among the lists nearest `query` (its codes in
    /// `queryCodes`), for rows `admits` takes; `probes` lists, or more when they held fewer than
    /// `count` admitted rows (a narrow filter), up to every list. With `probes ≥ lists` every row
    /// is scored: the exact candidate stage.
    func candidates(
        query: [Float], queryCodes: [Int8], count: Int, probes: Int, admits: (Int) -> Bool
    ) -> [Int] {
        var buffer = CandidateBuffer(k: count)
        let rows = index.rows
        var dots = [Float](repeating: 0, count: Self.chunk)
        let d = dimensions
        codes.withUnsafeBufferPointer { codes in
            scales.withUnsafeBufferPointer { scales in
                queryCodes.withUnsafeBufferPointer { q in
                    dots.withUnsafeMutableBufferPointer { out in
                        func scan(_ range: Range<Int>) {
                            for start in stride(from: range.lowerBound, to: range.upperBound, by: Self.chunk) {
                                let width = min(Self.chunk, range.upperBound - start)
                                kindred_int8_dots(
                                    q.baseAddress, 1, codes.baseAddress! + start * d, width, d, out.baseAddress)
                                EmbeddingIndex.select(
                                    dots: out.baseAddress!, scales: scales.baseAddress! + start, count: width,
                                    offset: start, into: &buffer
                                ) { admits(Int(rows[$0])) }
                            }
                        }
                        if probes >= index.lists {
                            scan(0..<rows.count)
                            return
                        }
                        var scanned = [Bool](repeating: false, count: index.lists)
                        for (n, list) in probeOrder(query, probes: probes).enumerated() {
                            // Past the probes, only while the buffer is short of admitted rows.
                            if n >= probes && buffer.isFull { return }
                            scanned[list] = true
                            scan(Int(index.listOffsets[list])..<Int(index.listOffsets[list + 1]))
                        }
                        for list in 0..<index.lists where !scanned[list] && !buffer.isFull {
                            scan(Int(index.listOffsets[list])..<Int(index.listOffsets[list + 1]))
                        }
                    }
                }
            }
        }
        return buffer.best().map { Int(rows[$0]) }
    }

    /// The lists of the groups nearest `query`, nearest first: enough groups that their lists
    /// number about three times `probes` (at least `assignmentGroups`, which is how far a row's
    /// list was looked for), so the probed lists are the nearest of a wide choice.
    func probeOrder(_ query: [Float], probes: Int) -> [Int] {
        let d = dimensions, g = index.groups
        var groupScores = [Float](repeating: 0, count: g)
        query.withUnsafeBufferPointer { q in
            index.groupCentroids.storage.withUnsafeBufferPointer { c in
                for group in 0..<g {
                    groupScores[group] = Vector.dot(q.baseAddress!, c.baseAddress! + group * d, count: d)
                }
            }
        }
        let widened = (3 * probes * g + index.lists - 1) / max(index.lists, 1)
        let expanded = min(g, max(InvertedFileIndex.assignmentGroups, widened))
        let groups = groupScores.withUnsafeBufferPointer {
            InvertedFileIndex.nearest(expanded, of: $0.baseAddress!, count: g)
        }
        var top = TopK(k: probes * 3)
        query.withUnsafeBufferPointer { q in
            index.listCentroids.storage.withUnsafeBufferPointer { c in
                for group in groups {
                    for list in Int(index.groupOffsets[group])..<Int(index.groupOffsets[group + 1]) {
                        top.offer(index: list, score: Vector.dot(q.baseAddress!, c.baseAddress! + list * d, count: d))
                    }
                }
            }
        }
        return top.sorted().map(\.index)
    }
}
