#if canImport(Glibc)
    import Glibc
#endif

extension Array where Element: BitwiseCopyable {
    /// Hands the whole pages of the array's unused capacity back to the kernel, keeping them as
    /// address space: an array cut short in place (`BLAS.multiplyInPlace` leaves an `n × k`
    /// matrix in the memory of an `n × l` one) otherwise keeps the tail resident to its end: a
    /// sixteenth of a build's article vectors. Swift never reads capacity beyond
    /// `count`; if the array grows into it again, the kernel gives it zeroed pages.
    ///
    /// Call it on an array no other value shares: a shared one is copied first (to its count).
    public mutating func releaseUnusedCapacity() {
        #if os(Linux)
            let page = Int(sysconf(Int32(_SC_PAGESIZE)))
            let (count, capacity) = (self.count, self.capacity)
            guard page > 0, (capacity - count) * MemoryLayout<Element>.stride >= page else { return }
            withUnsafeMutableBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                let start = UInt(bitPattern: base + count), end = UInt(bitPattern: base + capacity)
                let first = (start + UInt(page - 1)) & ~UInt(page - 1), last = end & ~UInt(page - 1)
                guard last > first, let aligned = UnsafeMutableRawPointer(bitPattern: first) else { return }
                _ = madvise(aligned, Int(last - first), MADV_DONTNEED)
            }
        #endif
    }
}
