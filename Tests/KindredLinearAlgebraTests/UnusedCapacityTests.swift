import KindredLinearAlgebra
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Unused capacity")
struct UnusedCapacityTests {
    /// Resident pages among the whole pages of `bytes` bytes at `start`, by `mincore`.
    func residentPages(_ start: UnsafeRawPointer, bytes: Int) -> Int {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let first = (UInt(bitPattern: start) + UInt(page - 1)) & ~UInt(page - 1)
        let last = (UInt(bitPattern: start) + UInt(bytes)) & ~UInt(page - 1)
        let pages = Int(last - first) / page
        var flags = [UInt8](repeating: 0, count: pages)
        let status = mincore(UnsafeMutableRawPointer(bitPattern: first), Int(last - first), &flags)
        #expect(status == 0)
        return flags.count { $0 & 1 == 1 }
    }

    @Test("the tail's pages leave memory, the elements stay, and the array can grow into it again")
    func releasesTheTail() throws {
        #if os(Linux)
            var values = [Float](repeating: 1.5, count: 1 << 21)  // 8 MB, every page written
            values.removeLast(3 << 19)  // a quarter kept
            let count = values.count, capacity = values.capacity
            let tail = values.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress! + count) }
            let tailBytes = (capacity - count) * MemoryLayout<Float>.stride
            #expect(residentPages(tail, bytes: tailBytes) > 1_000, "the tail was written, so resident")
            values.releaseUnusedCapacity()
            #expect(values.capacity == capacity, "no copy was made")
            #expect(residentPages(tail, bytes: tailBytes) == 0)
            #expect(values.count == count && values.allSatisfy { $0 == 1.5 })
            values.append(contentsOf: [Float](repeating: 2, count: 1_000))
            #expect(values.suffix(1_000).allSatisfy { $0 == 2 } && values.prefix(count).allSatisfy { $0 == 1.5 })
        #endif
    }
}
