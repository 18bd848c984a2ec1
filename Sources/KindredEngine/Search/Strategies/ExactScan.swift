import CKindredKernels
import KindredLinearAlgebra

/// The exact strategy: every row scored with int8 codes of the vectors (`QuantizedRows`), the
/// best `candidateCount(k)` kept for rescoring.
///
/// The codes are multiplied by `Int8Product` on the engine chosen for the CPU (oneDNN on VNNI or
/// AMX, Kindred's AVX2 or baseline kernel elsewhere): a quarter of the memory traffic of
/// `Float`, and on VNNI several times the speed of `sgemm`. The int8 scores are within about
/// 10⁻³ of the exact ones, so a true top-`k` row is missed only when it ties within that margin
/// with rows ranked beyond `candidateCount(k)`; `docs/performance.md` has the measured agreement
/// with the all-`Float` search. An index made without a product (`EmbeddingIndex`'s
/// `withProduct: false`) scans the kept codes in row order instead, to the same candidates.
struct ExactScan: CandidateSearch {
    let rows: Int
    let dimensions: Int
    /// The int8 scale of each row.
    let scales: [Float]
    /// The product's reordered blocks of the codes; nil when none was made or it failed.
    let product: Int8Product?
    /// The codes in row order, when kept: for a build's all-pairs search, for scanning without
    /// a product, and for scoring a filter's rows alone.
    let codes: [Int8]?
    let caption: String

    /// How many int8 candidates are rescored in `Float` for a top `k`: `k` plus a margin of at
    /// least 32, so that rows whose int8 score falls just below the cut are still compared exactly
    /// (the margin's measured agreement: docs/performance.md, *Exact search*).
    static func candidateCount(_ k: Int) -> Int { k + max(k, 32) }

    func candidateCount(_ k: Int) -> Int { Self.candidateCount(k) }

    /// Whether it has codes to score with at all (else every search is `Float`).
    var scores: Bool { product != nil || codes != nil }

    /// This scan without its codes in row order (the product, and so its searches, unchanged).
    func droppingCodes() -> ExactScan {
        let scansCodes = product == nil && codes != nil
        return ExactScan(
            rows: rows, dimensions: dimensions, scales: scales, product: product, codes: nil,
            caption: scansCodes ? "Float BLAS only (no int8 product asked for)" : self.caption)
    }

    func candidates(for query: SearchQuery, k: Int, admits: (Int) -> Bool) throws -> [Int]? {
        var candidates = CandidateBuffer(k: candidateCount(k))
        if let product {
            try multiply(query.codes, by: product, into: &candidates, admits: admits)
        } else if let codes {
            scan(query.codes, codes: codes, into: &candidates, admits: admits)
        } else {
            return nil
        }
        return candidates.best()
    }

    /// The query's codes times each block of the product, each block's scores offered as it comes.
    private func multiply(
        _ query: [Int8], by product: Int8Product, into candidates: inout CandidateBuffer, admits: (Int) -> Bool
    ) throws {
        var dots = [Float](repeating: 0, count: product.blockWidth)
        try query.withUnsafeBufferPointer { q in
            try dots.withUnsafeMutableBufferPointer { out in
                try scales.withUnsafeBufferPointer { scales in
                    try product.multiplyEachBlock(queries: q.baseAddress!, count: 1, into: out.baseAddress!, threads: 1)
                    { block in
                        let range = product.blockRange(block)
                        candidates.offer(
                            dots: out.baseAddress!, scales: scales.baseAddress! + range.lowerBound, count: range.count,
                            offset: range.lowerBound, admits: admits)
                    }
                }
            }
        }
    }

    /// The kept codes scanned in row order a block at a time: the product's candidates without it.
    private func scan(_ query: [Int8], codes: [Int8], into candidates: inout CandidateBuffer, admits: (Int) -> Bool) {
        let d = dimensions
        var dots = [Float](repeating: 0, count: EmbeddingIndex.blockRows)
        codes.withUnsafeBufferPointer { c in
            scales.withUnsafeBufferPointer { s in
                for start in stride(from: 0, to: rows, by: EmbeddingIndex.blockRows) {
                    let count = min(EmbeddingIndex.blockRows, rows - start)
                    kindred_int8_dots(query, 1, c.baseAddress! + start * d, count, d, &dots)
                    candidates.offer(
                        dots: dots, scales: s.baseAddress! + start, count: count, offset: start, admits: admits)
                }
            }
        }
    }

    func candidates(for query: SearchQuery, k: Int, amongRows rows: ArraySlice<Int32>, admits: (Int) -> Bool)
        -> [Int]?
    {
        guard let codes else { return nil }
        let d = dimensions
        var candidates = CandidateBuffer(k: candidateCount(k))
        RowBlocks.score(rows, into: &candidates, admits: admits) { listed, count, out in
            codes.withUnsafeBufferPointer {
                kindred_int8_dots_gathered(query.codes, $0.baseAddress!, listed, count, d, out)
            }
            for j in 0..<count { out[j] *= scales[Int(listed[j])] }
        }
        return candidates.best()
    }
}

/// Scoring a filter's rows alone, a block of them at a time, for the strategies that hold codes
/// by article row.
enum RowBlocks {
    static let size = 4_096

    /// Calls `score(rows, count, scores)` for each block of `rows` and offers each scored row that
    /// `admits` accepts.
    static func score(
        _ rows: ArraySlice<Int32>, into candidates: inout CandidateBuffer, admits: (Int) -> Bool,
        _ score: (UnsafePointer<Int32>, Int, UnsafeMutablePointer<Float>) -> Void
    ) {
        var scores = [Float](repeating: 0, count: size)
        rows.withUnsafeBufferPointer { listed in
            scores.withUnsafeMutableBufferPointer { out in
                for start in stride(from: 0, to: listed.count, by: size) {
                    let block = min(size, listed.count - start)
                    score(listed.baseAddress! + start, block, out.baseAddress!)
                    for j in 0..<block where out[j] > candidates.threshold && admits(Int(listed[start + j])) {
                        candidates.offer(index: Int(listed[start + j]), score: out[j])
                    }
                }
            }
        }
    }
}
