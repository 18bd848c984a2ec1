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
        var y = DenseMatrix(rows: 0, columns: 0)
        try multiply(x, into: &y, threads: threads)
        return y
    }

    /// `Y = A·X` written into `y`'s memory when it already has the shape `rows × x.columns`
    /// (every element is overwritten), into a new matrix otherwise. Subspace iteration calls this
    /// with the same two buffers at every pass, so no pass pays for fresh pages (a 208 MB `m × l`
    /// matrix for Debian: a third of the pass's time).
    public func multiply(_ x: DenseMatrix, into y: inout DenseMatrix, threads: Int? = nil) throws {
        guard x.rows == columns else {
            throw LinearAlgebraError(
                routine: "csrmm", reason: "sparse (\(rows) × \(columns)) times dense (\(x.rows) × \(x.columns))")
        }
        let width = x.columns
        if y.rows != rows || y.columns != width {
            y = DenseMatrix(rows: 0, columns: 0)  // the old buffer goes before the new one comes
            y = DenseMatrix(rows: rows, columns: width)
        }
        guard rows > 0, width > 0 else { return }
        let chunks = balancedRowChunks(count: (threads ?? ProcessorCount.active) * 4)
        rowOffsets.withUnsafeBufferPointer { offsets in
            columnIndices.withUnsafeBufferPointer { indices in
                values.withUnsafeBufferPointer { vals in
                    x.storage.withUnsafeBufferPointer { xs in
                        y.storage.withUnsafeMutableBufferPointer { ys in
                            let xBase = xs.baseAddress!, yBase = ys.baseAddress!
                            Parallel.forEach(chunks.count) { c in
                                for i in chunks[c] {
                                    Self.combineRows(
                                        into: yBase + i * width, width: width, entries: offsets[i]..<offsets[i + 1],
                                        indices: indices, values: vals, source: xBase)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// `out = Σ values[p] · source[indices[p], :]` over `entries`. Four rows of `source` are
    /// combined per pass over `out`, so `out` is loaded and stored a quarter as often as with one
    /// axpy per entry; the loops over `t` are contiguous and the compiler vectorises them.
    @inline(__always)
    static func combineRows(
        into out: UnsafeMutablePointer<Float>, width: Int, entries: Range<Int>,
        indices: UnsafeBufferPointer<Int32>, values: UnsafeBufferPointer<Float>, source: UnsafePointer<Float>
    ) {
        func row(_ p: Int) -> UnsafePointer<Float> { source + Int(indices[p]) * width }
        var p = entries.lowerBound
        let end = entries.upperBound
        switch end - p {
        case 0:
            out.update(repeating: 0, count: width)
            return
        case 1:
            let a0 = values[p], s0 = row(p)
            for t in 0..<width { out[t] = a0 * s0[t] }
            return
        default:
            let a0 = values[p], a1 = values[p + 1], s0 = row(p), s1 = row(p + 1)
            for t in 0..<width { out[t] = a0 * s0[t] + a1 * s1[t] }
            p += 2
        }
        while end - p >= 4 {
            let a0 = values[p], a1 = values[p + 1], a2 = values[p + 2], a3 = values[p + 3]
            let s0 = row(p), s1 = row(p + 1), s2 = row(p + 2), s3 = row(p + 3)
            for t in 0..<width { out[t] += (a0 * s0[t] + a1 * s1[t]) + (a2 * s2[t] + a3 * s3[t]) }
            p += 4
        }
        while p < end {
            let a = values[p], s = row(p)
            for t in 0..<width { out[t] += a * s[t] }
            p += 1
        }
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
