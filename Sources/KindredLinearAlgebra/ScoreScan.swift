import CKindredKernels

/// The scan that follows an int8 product in the all-pairs search: which scores of a row beat
/// the querying row's threshold, and which beat the threshold of the row they were scored
/// against (`CKindredKernels/ScoreScan.c`, on AVX-512, AVX2 or the baseline, whichever the CPU
/// runs). Nearly every score is below both, so the scan is one of the search's two hot loops
/// beside the product itself; Swift alone compiles it for the x86-64 baseline, four lanes wide.
///
/// One scanner per thread: it owns the buffers the hits are written to.
public final class ScoreScan {
    /// The kernels, for tests that compare them.
    public enum Kernel: Int32, CaseIterable, Sendable {
        case baseline = 0, avx2 = 1, avx512 = 2
    }

    public let capacity: Int
    /// Positions (within the scanned row) and scores of the last scan's hits.
    public let rowHits: UnsafeMutableBufferPointer<UInt32>
    public let rowScores: UnsafeMutableBufferPointer<Float>
    public let columnHits: UnsafeMutableBufferPointer<UInt32>
    public let columnScores: UnsafeMutableBufferPointer<Float>

    /// The kernel `scan` runs on this CPU, for logs and benchmark output.
    public static var kernel: String { String(cString: kindred_scan_kernel()) }

    /// Buffers for rows of up to `capacity` scores.
    public init(capacity: Int) {
        self.capacity = capacity
        rowHits = .allocate(capacity: capacity)
        rowScores = .allocate(capacity: capacity)
        columnHits = .allocate(capacity: capacity)
        columnScores = .allocate(capacity: capacity)
    }

    deinit {
        rowHits.deallocate()
        rowScores.deallocate()
        columnHits.deallocate()
        columnScores.deallocate()
    }

    /// Scans `score[j] = dots[j] · scales[j] · queryScale` for `j < count`: row hits where
    /// `score[j] ≥ rowLimit`, column hits where `score[j] ≥ columnLimits[j]` (none without
    /// limits). Hits are in increasing `j`. At or above, not above: a score equal to a limit may
    /// still win on its lower index (`CandidateTable`).
    ///
    /// - Returns: the number of row hits and of column hits.
    @inline(__always)
    public func scan(
        dots: UnsafePointer<Float>, scales: UnsafePointer<Float>, queryScale: Float, rowLimit: Float,
        columnLimits: UnsafePointer<Float>?, count: Int
    ) -> (rows: Int, columns: Int) {
        precondition(count <= capacity, "a row of \(count) scores for buffers of \(capacity)")
        var columns = 0
        let rows = kindred_scan_scores(
            dots, scales, queryScale, rowLimit, columnLimits, count,
            rowHits.baseAddress, rowScores.baseAddress, columnHits.baseAddress, columnScores.baseAddress, &columns)
        return (rows, columns)
    }

    /// `scan` on a given kernel instead of the CPU's best; nil when this CPU can't run it.
    public func scan(
        dots: UnsafePointer<Float>, scales: UnsafePointer<Float>, queryScale: Float, rowLimit: Float,
        columnLimits: UnsafePointer<Float>?, count: Int, kernel: Kernel
    ) -> (rows: Int, columns: Int)? {
        precondition(count <= capacity, "a row of \(count) scores for buffers of \(capacity)")
        var columns = 0
        let rows = kindred_scan_scores_with(
            kernel.rawValue, dots, scales, queryScale, rowLimit, columnLimits, count,
            rowHits.baseAddress, rowScores.baseAddress, columnHits.baseAddress, columnScores.baseAddress, &columns)
        return rows < 0 ? nil : (rows, columns)
    }
}
