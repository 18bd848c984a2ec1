import CKindredKernels
import Testing

@testable import KindredLinearAlgebra

/// The approximate index's 4-bit codes and `kindred_int4_dots`, on every kernel this machine
/// runs within the environment's ISA cap (CI runs these uncapped and capped at AVX2).
@Suite("4-bit rows and their dot-product kernels")
struct Int4RowsTests {
    /// `rows × columns` Gaussian values whose row `i` is scaled by `i + 1`, the last row zero.
    func matrix(rows: Int, columns: Int, seed: UInt64) -> DenseMatrix {
        var generator = SeededGenerator(seed: seed)
        var matrix = DenseMatrix(rows: rows, columns: columns)
        for i in 0..<(rows - 1) {
            for j in 0..<columns { matrix[i, j] = generator.nextGaussian() * Float(i + 1) }
        }
        return matrix
    }

    func quantized(_ matrix: DenseMatrix) -> Int4Rows {
        matrix.storage.withUnsafeBufferPointer { v in
            Int4Rows(rows: matrix.rows, columns: matrix.columns) { v.baseAddress! + $0 * matrix.columns }
        }
    }

    @Test("codes stay within half a step of each component, in −7…7; zero and non-finite rows code as zero")
    func quantisationError() {
        let matrix = matrix(rows: 12, columns: 100, seed: 11)
        let rows = quantized(matrix)
        #expect(rows.paddedColumns == 128 && rows.bytesPerRow == 64)
        #expect(rows.codes.count == 12 * 64)
        for i in 0..<11 {
            let scale = rows.scales[i]
            #expect(scale > 0)
            var largest = 0
            for j in 0..<100 {
                let code = rows.code(row: i, column: j)
                #expect((-7...7).contains(code))
                largest = max(largest, abs(code))
                #expect(abs(matrix[i, j] - scale * Float(code)) <= scale / 2 * 1.0001)
            }
            #expect(largest == 7, "the largest component takes the largest code")
            #expect((100..<128).allSatisfy { rows.code(row: i, column: $0) == 0 }, "padding codes are 0")
        }
        #expect(rows.scales[11] == 0 && (0..<128).allSatisfy { rows.code(row: 11, column: $0) == 0 })
        let odd = DenseMatrix(rows: 2, columns: 2, storage: [.nan, 1, 0.5, -0.25])
        let oddRows = quantized(odd)
        #expect(oddRows.scales[0] == 0 && oddRows.code(row: 0, column: 1) == 0)
        #expect(oddRows.code(row: 1, column: 0) == 7 && oddRows.code(row: 1, column: 1) == -4)
    }

    @Test("every kernel gives the exact integer products", arguments: [64, 256, 300, 512])
    func kernelsAreExact(columns: Int) {
        let width = 23  // five groups of four rows and a tail of three
        let rows = quantized(matrix(rows: width, columns: columns, seed: UInt64(columns)))
        var generator = SeededGenerator(seed: 3)
        let query = rows.paddedQuery((0..<columns).map { _ in Int8(Int(generator.next() % 255) - 127) })
        #expect(query.count == rows.paddedColumns)
        let expected = (0..<width).map { j in
            Float((0..<columns).reduce(0) { $0 + Int(query[$1]) * rows.code(row: j, column: $1) })
        }
        var ran = 0
        for kernel in 0..<3 {
            var out = [Float](repeating: .nan, count: width)
            let runs = rows.codes.withUnsafeBufferPointer { packed in
                kindred_int4_dots_with(Int32(kernel), query, packed.baseAddress, width, rows.paddedColumns, &out)
            }
            guard runs == 1 else { continue }
            ran += 1
            #expect(out == expected, "kernel \(kernel)")
        }
        #expect(ran >= 1, "the baseline always runs")
        #expect(["avx2", "baseline"].contains(Int4Rows.kernel))
    }

    @Test("scaled int4 scores of unit rows stay within 0.05 of the exact cosines")
    func scoresAreClose() {
        var matrix = matrix(rows: 200, columns: 256, seed: 21)
        _ = matrix.normalizeRows()
        let rows = quantized(matrix)
        let query = matrix.row(7)
        let (codes, scale) = QuantizedRows.quantize(query)
        let padded = rows.paddedQuery(codes)
        var out = [Float](repeating: 0, count: 199)
        rows.codes.withUnsafeBufferPointer {
            kindred_int4_dots(padded, $0.baseAddress, 199, rows.paddedColumns, &out)
        }
        for j in 0..<199 {
            let exact = (0..<256).reduce(Float(0)) { $0 + query[$1] * matrix[j, $1] }
            #expect(abs(out[j] * rows.scales[j] * scale - exact) < 0.05, "row \(j)")
        }
    }
}
