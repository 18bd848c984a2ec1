import Foundation

/// Gives the memory the allocator keeps after a big free back to the kernel.
///
/// glibc's malloc keeps what a program frees for its next allocations, in one arena per thread
/// that allocated it. Kindred frees a great deal at once in two places: between reindex stages
/// (the analysis's strings and dictionaries, built on the worker threads, left about 100 MB free
/// inside their arenas on the Debian corpus, resident to the end of the run), and in the server
/// after a model swap. `malloc_trim(0)` returns every free page of every arena (glibc 2.8 and
/// later) in a few milliseconds. It is not in the Glibc module map, so it is looked up by name,
/// and a C library without it simply skips the step.
public enum FreedMemory {
    private typealias Trim = @convention(c) (Int) -> Int32
    private static let trim: Trim? = dlsym(nil, "malloc_trim").map { unsafeBitCast($0, to: Trim.self) }

    /// Returns the allocator's free pages to the kernel, where the C library can.
    public static func release() {
        _ = trim?(0)
    }
}
