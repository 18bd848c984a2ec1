import KindredLinearAlgebra

/// Exact cosine search over unit-length article vectors.
///
/// Vectors are rows of an `(articles × dimensions)` matrix, each of unit length or all zero
/// (an article none of whose terms survived pruning): the dot product is the cosine. One query is
/// a BLAS `sgemv` and a bounded heap; all articles at once are blocked `sgemm` calls, so the
/// O(n²·d) work runs at the BLAS's matrix-multiply speed.
public struct EmbeddingIndex: Sendable {
    public let vectors: DenseMatrix
    /// Rows that are all zero: never results, never queries.
    public let isEmptyRow: [Bool]

    public init(vectors: DenseMatrix) {
        self.vectors = vectors
        let d = vectors.columns
        self.isEmptyRow = (0..<vectors.rows).map { i in
            !(0..<d).contains { vectors.storage[i * d + $0] != 0 }
        }
    }

    public var count: Int { vectors.rows }
    public var dimensions: Int { vectors.columns }

    /// The `k` rows most similar to a unit-length `query`, best first, skipping excluded rows.
    ///
    /// - Complexity: O(n·d) for the product plus O(n + k log k) selection.
    public func search(_ query: [Float], k: Int, excluding: (Int) -> Bool = { _ in false }) throws -> [ScoredIndex] {
        let scores = try BLAS.multiply(vectors, query)
        var top = TopK(k: k)
        var threshold = -Float.infinity
        for (i, score) in scores.enumerated() where score > threshold && !isEmptyRow[i] && !excluding(i) {
            top.offer(index: i, score: score)
            threshold = top.threshold
        }
        return top.sorted()
    }

    /// For every row, its `k` nearest other rows, best first; `handle(row, neighbors)` is called
    /// in row order.
    ///
    /// Rows are processed in blocks: one `sgemm` of a block against all vectors, then top-k of each
    /// row of the block in parallel. Memory is `blockSize × n` floats besides the index.
    ///
    /// - Complexity: O(n²·d) flops in the BLAS, O(n²) comparisons in selection.
    public func allNeighbors(k: Int, blockSize: Int = 256, handle: (Int, [ScoredIndex]) throws -> Void) throws {
        let n = count, d = dimensions
        guard n > 0 else { return }
        let block = max(1, min(blockSize, n))
        var scores = [Float](repeating: 0, count: block * n)
        var results = [[ScoredIndex]](repeating: [], count: block)
        let isEmptyRow = self.isEmptyRow
        for start in stride(from: 0, to: n, by: block) {
            let rows = min(block, n - start)
            vectors.storage.withUnsafeBufferPointer { v in
                scores.withUnsafeMutableBufferPointer { s in
                    BLAS.gemm(
                        transposeA: false, transposeB: true, m: rows, n: n, k: d,
                        a: v.baseAddress! + start * d, lda: d, b: v.baseAddress!, ldb: d, c: s.baseAddress!, ldc: n)
                }
            }
            scores.withUnsafeBufferPointer { s in
                results.withUnsafeMutableBufferPointer { out in
                    Parallel.forEachChunk(of: rows) { range in
                        for r in range {
                            let row = start + r
                            if isEmptyRow[row] {
                                out[r] = []
                                continue
                            }
                            var top = TopK(k: k)
                            // The threshold only changes when a candidate enters: keep it in a
                            // register instead of asking the heap for every one of n scores.
                            var threshold = -Float.infinity
                            let base = r * n
                            for j in 0..<n where s[base + j] > threshold && j != row && !isEmptyRow[j] {
                                top.offer(index: j, score: s[base + j])
                                threshold = top.threshold
                            }
                            out[r] = top.sorted()
                        }
                    }
                }
            }
            for r in 0..<rows { try handle(start + r, results[r]) }
        }
    }
}
