import CKindredKernels
import Dispatch

extension CSRMatrix {
    /// `Y = A·X` for this sparse `A` (`rows × columns`) and a dense row-major `X` (`columns × l`).
    ///
    /// This is the sparse half of randomized SVD: every pass over the TF-IDF matrix is one of
    /// these. BLAS has no sparse routine, so the kernel is Kindred's own: each output row is a
    /// sum of `a_ij · X[j, :]`, computed in `CKindredKernels/SparseDense.c` with a block of the
    /// output row held in vector registers across all of the row's nonzeros (AVX-512, AVX2 or
    /// the baseline, whichever the CPU runs: 2.3× the Swift baseline version on Debian's passes).
    /// Rows are split into chunks of about equal nonzero count and run on all cores; each chunk
    /// writes only its own rows of `Y`, so no locking is needed and the result does not depend on
    /// the thread count.
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
    /// with the same two buffers at every pass, so no pass pays for fresh pages of an `m × l`
    /// matrix (a third of a pass's time on Debian's corpus).
    public func multiply(_ x: DenseMatrix, into y: inout DenseMatrix, threads: Int? = nil) throws {
        guard x.rows == columns else {
            throw LinearAlgebraError(
                routine: "csrmm", reason: "sparse (\(rows) × \(columns)) times dense (\(x.rows) × \(x.columns))")
        }
        let chunks = balancedRowChunks(count: (threads ?? ProcessorCount.active) * 4)
        withKernelArguments(x, into: &y, outputRows: rows) { starts, indices, values, xBase, width, yBase in
            Parallel.forEach(chunks.count) { c in
                kindred_csr_times_dense(
                    starts, indices, values, chunks[c].lowerBound, chunks[c].upperBound, xBase, width, yBase)
            }
        }
    }

    /// `Y = Aᵀ·X` for this sparse `A` (`rows × columns`) and a dense row-major `X` (`rows × l`),
    /// written into `y`'s memory when it already has the shape `columns × l`, without a transposed
    /// copy of `A` (`CKindredKernels/SparseTransposedDense.c`): the same result to the bit as
    /// `transposed().multiply(x)`, in none of the copy's memory (8 bytes a nonzero, part of the
    /// randomized SVD's peak otherwise).
    ///
    /// Each worker owns a range of `Y`'s rows with about equal nonzeros and reads all of `A` and
    /// `X` once, so the result does not depend on the thread count either.
    ///
    /// - Parameter rowScales: a factor per row of `A` (`Y = Aᵀ·diag(rowScales)·X`), or nil for none:
    ///   what lets a model's term vectors be formed from its normalised article vectors and their
    ///   lengths without an unnormalised copy (`ModelBuilder.termVectors`).
    /// - Throws: `LinearAlgebraError` when `X` has the wrong number of rows, or `rowScales` the
    ///   wrong length.
    /// - Complexity: O(nonzeroCount · l) flops, O(rows · log(row length)) searches per worker.
    public func multiplyTransposed(
        _ x: DenseMatrix, rowScales: [Float]? = nil, into y: inout DenseMatrix, threads: Int? = nil
    ) throws {
        guard x.rows == rows, rowScales.map({ $0.count == rows }) ?? true else {
            throw LinearAlgebraError(
                routine: "csrmm",
                reason:
                    "transposed sparse (\(columns) × \(rows)) times dense (\(x.rows) × \(x.columns))"
                    + (rowScales.map { " with \($0.count) row scales" } ?? ""))
        }
        let chunks = balancedColumnChunks(count: threads ?? ProcessorCount.active)
        withKernelArguments(x, into: &y, outputRows: columns) { starts, indices, values, xBase, width, yBase in
            func run(_ scales: UnsafePointer<Float>?) {
                Parallel.forEach(chunks.count) { c in
                    kindred_csr_transposed_times_dense(
                        starts, indices, values, scales, rows, xBase, width, yBase, chunks[c].lowerBound,
                        chunks[c].upperBound)
                }
            }
            if let rowScales { rowScales.withUnsafeBufferPointer { run($0.baseAddress) } } else { run(nil) }
        }
    }

    /// `Y = Aᵀ·X` into a new matrix (`multiplyTransposed(_:into:threads:)`).
    public func multiplyTransposed(_ x: DenseMatrix, threads: Int? = nil) throws -> DenseMatrix {
        var y = DenseMatrix(rows: 0, columns: 0)
        try multiplyTransposed(x, into: &y, threads: threads)
        return y
    }

    /// What both products hand their C kernels: `y` shaped `outputRows × x.columns` (its memory
    /// reused when it already is, else the old buffer freed before the new one is made), then the
    /// matrix's arrays, `x`'s and `y`'s storage and the width as pointers (nil for an empty
    /// array). Nothing is called for an empty result.
    private func withKernelArguments(
        _ x: DenseMatrix, into y: inout DenseMatrix, outputRows: Int,
        _ body: (
            UnsafePointer<Int64>, UnsafePointer<Int32>?, UnsafePointer<Float>?, UnsafePointer<Float>?, Int,
            UnsafeMutablePointer<Float>
        ) -> Void
    ) {
        let width = x.columns
        if y.rows != outputRows || y.columns != width {
            y = DenseMatrix(rows: 0, columns: 0)  // the old buffer goes before the new one comes
            y = DenseMatrix(rows: outputRows, columns: width)
        }
        guard outputRows > 0, width > 0 else { return }
        rowOffsets.withUnsafeBufferPointer { offsets in
            columnIndices.withUnsafeBufferPointer { indices in
                values.withUnsafeBufferPointer { vals in
                    x.storage.withUnsafeBufferPointer { xs in
                        y.storage.withUnsafeMutableBufferPointer { ys in
                            // Row offsets are `Int`, which is 64 bits on every platform Kindred builds for.
                            let starts = UnsafeRawPointer(offsets.baseAddress!).assumingMemoryBound(to: Int64.self)
                            body(starts, indices.baseAddress, vals.baseAddress, xs.baseAddress, width, ys.baseAddress!)
                        }
                    }
                }
            }
        }
    }

    /// Splits `0..<columns` into at most `count` contiguous ranges holding about equal nonzeros.
    func balancedColumnChunks(count: Int) -> [Range<Int>] {
        var ends = [Int](repeating: 0, count: columns + 1)
        for column in columnIndices { ends[Int(column) + 1] += 1 }
        for j in 0..<columns { ends[j + 1] += ends[j] }
        return Self.balanced(offsets: ends, count: count)
    }

    /// Splits `0..<rows` into at most `count` contiguous ranges holding about equal nonzeros.
    func balancedRowChunks(count: Int) -> [Range<Int>] { Self.balanced(offsets: rowOffsets, count: count) }

    /// Splits the `offsets.count - 1` slices that `offsets` delimit into at most `count`
    /// contiguous ranges of about equal total size.
    static func balanced(offsets: [Int], count: Int) -> [Range<Int>] {
        let slices = offsets.count - 1
        let target = max(1, offsets[slices] / max(1, count))
        var chunks: [Range<Int>] = []
        var start = 0
        for i in 0..<slices where offsets[i + 1] - offsets[start] >= target {
            chunks.append(start..<(i + 1))
            start = i + 1
        }
        if start < slices { chunks.append(start..<slices) }
        return chunks
    }
}
