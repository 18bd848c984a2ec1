import Foundation

/// Gives the memory the allocator keeps after a big free back to the kernel.
///
/// glibc's malloc keeps what a program frees for its next allocations, in one arena per thread
/// that allocated it. Kindred frees a great deal at once in two places: between reindex stages
/// (the analysis's strings and dictionaries, built on the worker threads, left megabytes free
/// inside their arenas, resident to the end of the run), and in the server
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

    private typealias Option = @convention(c) (Int32, Int32) -> Int32
    private static let option: Option? = dlsym(nil, "mallopt").map { unsafeBitCast($0, to: Option.self) }

    /// Makes the allocator map every block of `bytes` or more on its own, so that freeing it
    /// returns it to the kernel at once (glibc's `M_MMAP_THRESHOLD`, -3).
    ///
    /// Why: glibc starts low but raises the threshold to the size of each mapped block freed, up
    /// to `M_MMAP_THRESHOLD`'s ceiling, after which the arrays of a build stage (candidate tables, sparse
    /// rows, term lists: megabytes each) come from the arenas and stay resident after they are
    /// freed, between the pages `malloc_trim` can hand back. A fixed threshold turns that off.
    public static func mapBlocks(atLeast bytes: Int32) {
        _ = option?(-3, bytes)
    }

    /// Makes the allocator keep up to `bytes` free at the top of each arena instead of handing
    /// it back at every free (glibc's `M_TRIM_THRESHOLD`, -1; `release` still hands it all back).
    ///
    /// Why: a fixed `mapBlocks` threshold also fixes the trim threshold at its default, 128 KiB.
    /// A server's search allocates and frees a few hundred kilobytes per request (a walk's visited
    /// table), so each free returned those pages and the next search faulted them in again:
    /// about 30 page faults a request, under the memory map's lock that every thread shares.
    public static func keepFree(upTo bytes: Int32) {
        _ = option?(-1, bytes)
    }
}
