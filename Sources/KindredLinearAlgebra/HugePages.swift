#if canImport(Glibc)
    import Glibc
#endif

/// Large arrays on 2 MiB pages where the kernel offers them (transparent huge pages in `madvise`
/// mode, Debian's default).
///
/// A graph walk reads 256-byte rows from anywhere in hundreds of megabytes of codes, and a draft's
/// projection reads term vectors from anywhere in gigabytes. On 4 KiB pages nearly every such
/// read also misses the TLB, and the page-table walk that follows (two-dimensional under a
/// hypervisor) costs about as much as the read itself; one huge page covers 512 of them. The
/// advice must come before the memory is first written: pages already touched stay small.
/// Where the kernel has no transparent huge pages, or they are off, the advice is refused and the
/// array is an ordinary one.
public enum HugePages {
    /// Arrays of fewer bytes keep ordinary pages: they need not hold one whole aligned huge page.
    public static let minimumBytes = 4 << 20

    static let pageBytes = 2 << 20

    /// Advises huge pages for the `pageBytes`-aligned part of `bytes` bytes at `start`. Returns whether
    /// the kernel took the advice.
    @discardableResult
    static func advise(_ start: UnsafeMutableRawPointer, bytes: Int) -> Bool {
        #if os(Linux)
            guard bytes >= minimumBytes else { return false }
            let first = (UInt(bitPattern: start) + UInt(pageBytes - 1)) & ~UInt(pageBytes - 1)
            let end = (UInt(bitPattern: start) + UInt(bytes)) & ~UInt(pageBytes - 1)
            guard end > first, let aligned = UnsafeMutableRawPointer(bitPattern: first) else { return false }
            return madvise(aligned, Int(end - first), MADV_HUGEPAGE) == 0
        #else
            return false
        #endif
    }
}

extension Array where Element: BitwiseCopyable {
    /// `count` elements written by `initialize`, which must set every one, on huge pages when the
    /// array is large (`HugePages`).
    public init(
        hugePagesFor count: Int, initializingWith initialize: (UnsafeMutableBufferPointer<Element>) throws -> Void
    ) rethrows {
        try self.init(unsafeUninitializedCapacity: count) { buffer, initialized in
            if let base = buffer.baseAddress {
                HugePages.advise(UnsafeMutableRawPointer(base), bytes: count * MemoryLayout<Element>.stride)
            }
            try initialize(buffer)
            initialized = count
        }
    }
}
