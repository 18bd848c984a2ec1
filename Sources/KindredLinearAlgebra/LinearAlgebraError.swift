/// An error from a BLAS/LAPACK routine or from a shape check in front of one.
///
/// LAPACK reports failure through `info`: a negative value names the argument that was wrong
/// (a bug on our side), a positive one a numerical failure (e.g. an SVD that did not converge).
/// Both are thrown, never asserted, so a bad input matrix can't take a server down.
public struct LinearAlgebraError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The routine that failed, e.g. `sgesdd`.
    public let routine: String
    /// LAPACK's `info`, or 0 for a shape error found before the call.
    public let info: Int32
    /// What went wrong, in words.
    public let reason: String

    public init(routine: String, info: Int32 = 0, reason: String) {
        self.routine = routine
        self.info = info
        self.reason = reason
    }

    public var description: String {
        info == 0 ? "\(routine): \(reason)" : "\(routine) failed with info \(info): \(reason)"
    }

    static func lapack(_ routine: String, info: Int32) -> LinearAlgebraError {
        let reason: String
        if info < 0 {
            reason = "argument \(-info) had an illegal value (a bug in Kindred; please report it)"
        } else if routine.hasSuffix("gesdd") {
            reason = "the SVD did not converge; the input may hold NaN or infinite values"
        } else {
            reason = "the routine reported a numerical failure"
        }
        return LinearAlgebraError(routine: routine, info: info, reason: reason)
    }
}
