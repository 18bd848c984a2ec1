import Dispatch

/// Data-parallel loops for Kindred's numeric kernels.
public enum Parallel {
    /// Runs `body(i)` for every `i` in `0..<iterations` on all cores and returns when all are done.
    ///
    /// `body` may capture raw pointers: callers guarantee that iterations touch disjoint memory
    /// (each writes only its own rows), which is what makes the unchecked hand-off below sound.
    public static func forEach(_ iterations: Int, _ body: (Int) -> Void) {
        if iterations == 1 { return body(0) }
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: iterations) { body($0) }
        }
    }
}
