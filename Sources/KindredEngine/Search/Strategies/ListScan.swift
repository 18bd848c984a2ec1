import CKindredKernels
import KindredLinearAlgebra

/// The lists strategy: `InvertedFileIndex` made ready to search, the articles' vectors in 4-bit
/// codes (`Int4Rows`) laid out list by list, so a probed list is one contiguous run of codes for
/// `kindred_int4_dots` (AVX2 or baseline, `CKindredKernels/Int4Dots.c`).
///
/// Made when a model is loaded to search approximately, in place of the exact scan's int8
/// product: a scan reads every byte of the probed lists once per query, at memory speed, so the
/// codes are half the size of the int8 ones and the scan correspondingly faster
/// (docs/performance.md, *The approximate index*). Their coarser scores are made up for by
/// rescoring more candidates in `Float` (`candidateCount`).
struct ListScan: CandidateSearch {
    let index: InvertedFileIndex
    let dimensions: Int
    /// The rows' codes and scales, in `index.rows` order.
    let codes: Int4Rows
    /// The list centroids' int8 codes and scales, for ranking the lists (a twelfth of the rows'
    /// bytes at lists of 64, read whole by every query: int8 ranks them more finely).
    let centroidCodes: [Int8]
    let centroidScales: [Float]
    /// Lists a query probes.
    private(set) var probes: Int

    init(_ index: InvertedFileIndex, vectors: DenseMatrix, probes: Int = 1) {
        self.index = index
        self.probes = min(index.lists, max(1, probes))
        let d = vectors.columns
        dimensions = d
        codes = vectors.storage.withUnsafeBufferPointer { v in
            index.rows.withUnsafeBufferPointer { rows in
                Int4Rows(rows: vectors.rows, columns: d) { v.baseAddress! + Int(rows[$0]) * d }
            }
        }
        let centroids = QuantizedRows(index.listCentroids)
        (centroidCodes, centroidScales) = (centroids.codes, centroids.scales)
    }

    /// How many int4 candidates are rescored in `Float` for a top `k`: 8·k, at least 256. On a
    /// million generated articles, scanning every row, the best 8·k by int4 score held 100 % of
    /// the exact top 10, 99.97 % of the top 30 and of the top 100 (4·k: 99.2 %, 99.6 %).
    static func candidateCount(_ k: Int) -> Int { max(8 * k, 256) }

    /// Positions scored per `kindred_int4_dots` call when a whole range is scanned.
    static let chunk = 4_096

    func candidateCount(_ k: Int) -> Int { Self.candidateCount(k) }

    var caption: String { "\(index.lists) lists, \(probes) probed, int4 \(Int4Rows.kernel)" }

    /// This search probing `probes` lists per query (at least one, at most every list).
    func probing(_ probes: Int) -> ListScan {
        var scan = self
        scan.probes = min(index.lists, max(1, probes))
        return scan
    }

    func candidates(for query: SearchQuery, k: Int, admits: (Int) -> Bool) -> [Int]? {
        candidates(queryCodes: query.codes, count: candidateCount(k), probes: probes, admits: admits)
    }

    /// The rows of the best `count` int4 scores among the lists nearest a query (its codes), for
    /// rows `admits` takes: `probes` lists, or more when they held fewer than `count` admitted
    /// rows (a narrow filter), up to every list. With `probes ≥ lists` every row is scored: the
    /// exact candidate stage.
    func candidates(queryCodes: [Int8], count: Int, probes: Int, admits: (Int) -> Bool) -> [Int] {
        var buffer = CandidateBuffer(k: count)
        let query = codes.paddedQuery(queryCodes)
        var dots = [Float](repeating: 0, count: Self.chunk)
        dots.withUnsafeMutableBufferPointer { out in
            guard probes < index.lists else {
                return scan(0..<index.rows.count, query: query, dots: out.baseAddress!, into: &buffer, admits: admits)
            }
            for (n, list) in probeOrder(queryCodes: queryCodes, probes: probes).enumerated() {
                // Past the probes, only while the buffer is short of admitted rows.
                if n >= probes && buffer.isFull { return }
                let positions = Int(index.listOffsets[Int(list)])..<Int(index.listOffsets[Int(list) + 1])
                scan(positions, query: query, dots: out.baseAddress!, into: &buffer, admits: admits)
            }
        }
        return buffer.best().map { Int(index.rows[$0]) }
    }

    /// Offers the rows at `positions` of the list-by-list codes (`index.rows`' order), by int4
    /// score with the padded `query`, `chunk` at a time; `admits` takes an article row.
    private func scan(
        _ positions: Range<Int>, query: [Int8], dots: UnsafeMutablePointer<Float>, into buffer: inout CandidateBuffer,
        admits: (Int) -> Bool
    ) {
        let (columns, bytes) = (codes.paddedColumns, codes.bytesPerRow)
        index.rows.withUnsafeBufferPointer { rows in
            codes.codes.withUnsafeBufferPointer { packed in
                codes.scales.withUnsafeBufferPointer { scales in
                    for start in stride(from: positions.lowerBound, to: positions.upperBound, by: Self.chunk) {
                        let width = min(Self.chunk, positions.upperBound - start)
                        kindred_int4_dots(query, packed.baseAddress! + start * bytes, width, columns, dots)
                        buffer.offer(
                            dots: dots, scales: scales.baseAddress! + start, count: width, offset: start
                        ) { admits(Int(rows[$0])) }
                    }
                }
            }
        }
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
