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
    /// The list centroids' int8 codes and scales, for ranking the lists.
    let centroidCodes: [Int8]
    let centroidScales: [Float]

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
        let centroids = QuantizedRows(index.listCentroids)
        (centroidCodes, centroidScales) = (centroids.codes, centroids.scales)
    }

    /// Positions scored per `kindred_int8_dots` call when a whole range is scanned.
    static let chunk = 4_096

    /// The rows of the best `count` int8 scores among the lists nearest a query (its codes), for
    /// rows `admits` takes: `probes` lists, or more when they held fewer than `count` admitted
    /// rows (a narrow filter), up to every list. With `probes ≥ lists` every row is scored: the
    /// exact candidate stage.
    func candidates(queryCodes: [Int8], count: Int, probes: Int, admits: (Int) -> Bool) -> [Int] {
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
                        for (n, list) in probeOrder(queryCodes: queryCodes, probes: probes).enumerated() {
                            // Past the probes, only while the buffer is short of admitted rows.
                            if n >= probes && buffer.isFull { return }
                            scan(Int(index.listOffsets[Int(list)])..<Int(index.listOffsets[Int(list) + 1]))
                        }
                    }
                }
            }
        }
        return buffer.best().map { Int(rows[$0]) }
    }

    /// The `probes` lists whose centroids are nearest the query (its codes), nearest first, then
    /// the rest of the lists in no particular order. Every list centroid is scored, in int8 like
    /// the rows. Descending the tree instead (ranking only the lists of the nearest groups)
    /// misses lists whose group centroid is not near the query although they are: on Debian's
    /// generated million articles, recall 0.911 against 0.976 at 625 probes (docs/performance.md).
    func probeOrder(queryCodes: [Int8], probes: Int) -> [Int32] {
        let lists = index.lists
        var scores = [Float](repeating: 0, count: lists)
        var order = (0..<lists).map(Int32.init)
        queryCodes.withUnsafeBufferPointer { q in
            centroidCodes.withUnsafeBufferPointer { c in
                scores.withUnsafeMutableBufferPointer { out in
                    kindred_int8_dots(q.baseAddress, 1, c.baseAddress, lists, dimensions, out.baseAddress)
                    for l in 0..<lists { out[l] *= centroidScales[l] }
                    order.withUnsafeMutableBufferPointer {
                        kindred_select_top(out.baseAddress, $0.baseAddress, lists, min(probes, lists))
                    }
                }
            }
        }
        // The selection left the nearest in front, in no order, their scores beside them.
        let nearest = min(probes, lists)
        order.replaceSubrange(0..<nearest, with: (0..<nearest).sorted { scores[$0] > scores[$1] }.map { order[$0] })
        return order
    }
}
