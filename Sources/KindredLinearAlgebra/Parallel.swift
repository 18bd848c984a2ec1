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

    /// Splits `0..<count` into contiguous ranges, about four per core so that uneven work still
    /// balances, and runs `body` on each range in parallel.
    public static func forEachChunk(of count: Int, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let pieces = ProcessorCount.active * 4
        let size = max(1, (count + pieces - 1) / pieces)
        forEach((count + size - 1) / size) { c in
            body((c * size)..<min(count, (c + 1) * size))
        }
    }

    /// `body(i)` for every `i` in `0..<iterations`, computed in parallel, in order of `i`. Every
    /// iteration runs; if any threw, the error of the lowest `i` is rethrown (a body that can't
    /// throw needs no `try`).
    public static func map<T, Failure: Error>(
        _ iterations: Int, _ body: (Int) throws(Failure) -> T
    ) throws(Failure) -> [T] {
        let results = UnsafeMutableBufferPointer<Result<T, Failure>?>.allocate(capacity: iterations)
        results.initialize(repeating: nil)
        defer {
            results.deinitialize()
            results.deallocate()
        }
        forEach(iterations) { i in
            do throws(Failure) { results[i] = .success(try body(i)) } catch { results[i] = .failure(error) }
        }
        return try results.map { result throws(Failure) in try result!.get() }
    }
}
