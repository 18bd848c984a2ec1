import Foundation

/// Gives the memory the allocator keeps after a reindex stage back to the kernel.
///
/// glibc's malloc keeps what a program frees for its next allocations, in one arena per thread
/// that allocated it. A reindex frees a great deal between stages: the analysis's strings and
/// dictionaries, built on the worker threads, left about 100 MB free inside their arenas on the
/// Debian corpus, which no later stage reused and which stayed resident to the end of the run.
/// `malloc_trim(0)` returns every free page of every arena (glibc 2.8 and later) in a few
/// milliseconds. It is looked up by name so that a C library without it simply skips the step.
enum FreedMemory {
    private typealias Trim = @convention(c) (Int) -> Int32
    private static let trim: Trim? = dlsym(nil, "malloc_trim").map { unsafeBitCast($0, to: Trim.self) }

    /// Returns the allocator's free pages to the kernel, where the C library can.
    static func release() {
        _ = trim?(0)
    }
}
