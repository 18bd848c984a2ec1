import Dispatch

extension CSRMatrix {
    /// `Y = A·X` for this sparse `A` (`rows × columns`) and a dense row-major `X` (`columns × l`).
    ///
    /// This is the sparse half of randomized SVD: every pass over the TF-IDF matrix is one of
    /// these. BLAS has no sparse routine, so the kernel is Kindred's own: each output row is a
    /// sum of `a_ij · X[j, :]`, an axpy over a contiguous row of `X` that the compiler
    /// vectorises. Rows are split into chunks of about equal nonzero count and run on all cores;
    /// each chunk writes only its own rows of `Y`, so no locking is needed and the result does
    /// not depend on the thread count.
    ///
    /// - Parameter threads: worker count; defaults to the active processor count.
    /// - Throws: `LinearAlgebraError` when `X` has the wrong number of rows.
    /// - Complexity: O(nonzeroCount · l) flops.
    public func multiply(_ x: DenseMatrix, threads: Int? = nil) throws -> DenseMatrix {
        guard x.rows == columns else {
            throw LinearAlgebraError(
                routine: "csrmm", reason: "sparse (\(rows) × \(columns)) times dense (\(x.rows) × \(x.columns))")
        }
        let width = x.columns
        var y = DenseMatrix(rows: rows, columns: width)
        guard rows > 0, width > 0, nonzeroCount > 0 else { return y }
        let chunks = balancedRowChunks(count: (threads ?? ProcessorCount.active) * 4)
        rowOffsets.withUnsafeBufferPointer { offsets in
            columnIndices.withUnsafeBufferPointer { indices in
                values.withUnsafeBufferPointer { vals in
                    x.storage.withUnsafeBufferPointer { xs in
                        y.storage.withUnsafeMutableBufferPointer { ys in
                            let xBase = xs.baseAddress!, yBase = ys.baseAddress!
                            Parallel.forEach(chunks.count) { c in
                                for i in chunks[c] {
                                    let out = yBase + i * width
                                    for p in offsets[i]..<offsets[i + 1] {
                                        let a = vals[p]
                                        let source = xBase + Int(indices[p]) * width
                                        for t in 0..<width { out[t] += a * source[t] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return y
    }

    /// Splits `0..<rows` into at most `count` contiguous ranges holding about equal nonzeros.
    func balancedRowChunks(count: Int) -> [Range<Int>] {
        let target = max(1, nonzeroCount / max(1, count))
        var chunks: [Range<Int>] = []
        var start = 0
        for i in 0..<rows where rowOffsets[i + 1] - rowOffsets[start] >= target {
            chunks.append(start..<(i + 1))
            start = i + 1
        }
        if start < rows { chunks.append(start..<rows) }
        return chunks
    }
}
