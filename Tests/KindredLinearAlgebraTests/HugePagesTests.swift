import Foundation
import Testing

@testable import KindredLinearAlgebra

/// Arrays on huge pages hold what their initialiser wrote, whether or not the kernel took the
/// advice, and the int8 codes built on them code a zero row as zeros (their memory is not zeroed
/// first).
@Suite("Huge-page arrays")
struct HugePagesTests {
    /// Whether this kernel offers transparent huge pages to a process that asks (`madvise` or
    /// `always`); nil where the setting can't be read.
    var transparentHugePagesOffered: Bool? {
        guard let setting = try? String(contentsOfFile: "/sys/kernel/mm/transparent_hugepage/enabled", encoding: .utf8)
        else { return nil }
        return !setting.contains("[never]")
    }

    @Test("a large array holds every element its initialiser wrote; the advice is taken where offered")
    func largeArray() {
        let count = 3 * HugePages.minimumBytes / MemoryLayout<Int32>.stride + 5
        let values = [Int32](hugePagesFor: count) { buffer in
            for i in buffer.indices { buffer[i] = Int32(truncatingIfNeeded: i &* 2_654_435_761) }
        }
        #expect(values.count == count)
        #expect(values.indices.allSatisfy { values[$0] == Int32(truncatingIfNeeded: $0 &* 2_654_435_761) })
        if let offered = transparentHugePagesOffered {
            values.withUnsafeBufferPointer { buffer in
                let start = UnsafeMutableRawPointer(mutating: buffer.baseAddress!)
                #expect(HugePages.advise(start, bytes: count * 4) == offered)
            }
        }
    }

    @Test("small arrays keep ordinary pages; an empty one is empty")
    func smallArrays() {
        var small = [UInt8](repeating: 1, count: 4_096)
        small.withUnsafeMutableBytes { #expect(!HugePages.advise($0.baseAddress!, bytes: $0.count)) }
        #expect([Float](hugePagesFor: 0) { _ in }.isEmpty)
    }

    @Test("int8 codes on huge pages: zero rows code as zeros, others as their own quantisation")
    func zeroRowsOnHugePages() {
        // 24,576 rows of 256: 6 MiB of codes, over the huge-page threshold.
        let rows = 24_576, columns = 256
        var matrix = DenseMatrix(rows: rows, columns: columns)
        var generator = SeededGenerator(seed: 5)
        for i in 0..<rows where i % 3 != 0 {
            for j in 0..<columns { matrix[i, j] = generator.nextGaussian() }
        }
        let quantized = QuantizedRows(matrix)
        for i in stride(from: 0, to: rows, by: 3) {
            #expect(quantized.scales[i] == 0)
            #expect(quantized.codes[(i * columns)..<((i + 1) * columns)].allSatisfy { $0 == 0 })
        }
        var one = [Int8](repeating: 0, count: columns)
        let scale = matrix.storage.withUnsafeBufferPointer { x in
            QuantizedRows.quantize(x.baseAddress! + 7 * columns, count: columns, into: &one)
        }
        #expect(quantized.scales[7] == scale && Array(quantized.codes[(7 * columns)..<(8 * columns)]) == one)
        // Memory that held something else (reused memory, unlike a fresh mapping) is overwritten.
        let zero = [Float](repeating: 0, count: columns), notFinite = [Float](repeating: .nan, count: columns)
        for row in [zero, notFinite] {
            var reused = [Int8](repeating: 99, count: columns)
            #expect(QuantizedRows.quantize(row, count: columns, into: &reused) == 0)
            #expect(reused.allSatisfy { $0 == 0 })
        }
    }
}
