import Testing

@testable import KindredLinearAlgebra

@Suite("4-bit rows with their scales inline")
struct ScaledInt4RowsTests {
    func quantized(_ matrix: DenseMatrix) -> ScaledInt4Rows {
        matrix.storage.withUnsafeBufferPointer { m in
            ScaledInt4Rows(rows: matrix.rows, columns: matrix.columns) { m.baseAddress! + $0 * matrix.columns }
        }
    }

    @Test("codes times the row's scale restore each value to half a step; the scale's columns hold no code")
    func roundTrip() throws {
        var generator = SeededGenerator(seed: 21)
        var matrix = DenseMatrix(rows: 50, columns: 256)
        for i in 0..<50 { for j in 0..<256 { matrix[i, j] = generator.nextGaussian() } }
        let rows = quantized(matrix)
        #expect(rows.paddedColumns == 256 && rows.bytesPerRow == 128 && rows.codes.count == 50 * 128)
        #expect(rows.scaleColumns == [220, 221, 222, 223, 252, 253, 254, 255])
        for i in 0..<50 {
            let kept = (0..<256).filter { !rows.scaleColumns.contains($0) }
            let largest = kept.map { abs(matrix[i, $0]) }.max()!
            #expect(rows.scale(row: i) == largest / 7)
            for j in kept {
                let code = rows.code(row: i, column: j)
                #expect((-7...7).contains(code))
                #expect(abs(Float(code) * rows.scale(row: i) - matrix[i, j]) <= rows.scale(row: i) / 2 * 1.0001)
            }
        }
    }

    @Test("narrow rows lose nothing to the scale: its columns are padding")
    func narrowRows() throws {
        var matrix = DenseMatrix(rows: 3, columns: 72)
        for j in 0..<72 { matrix[0, j] = Float(j % 15 - 7) / 7 }
        matrix[2, 5] = .nan
        let rows = quantized(matrix)
        #expect(rows.paddedColumns == 128)
        #expect(rows.scaleColumns.allSatisfy { $0 >= 72 })
        #expect(rows.scale(row: 0) == 1.0 / 7)
        #expect((0..<72).map { rows.code(row: 0, column: $0) } == (0..<72).map { $0 % 15 - 7 })
        // A row of zeros, and one with a value that is not finite: scale 0, codes 0.
        for row in [1, 2] {
            #expect(rows.scale(row: row) == 0)
            #expect((0..<128).allSatisfy { rows.code(row: row, column: $0) == 0 })
        }
    }

    @Test("a query is padded with zeros and holds zeros where the rows hold their scale")
    func query() throws {
        var matrix = DenseMatrix(rows: 1, columns: 256)
        matrix[0, 0] = 1
        let rows = quantized(matrix)
        let codes = (0..<256).map { Int8($0 % 100) + 1 }
        let query = rows.query(codes)
        #expect(query.count == 256)
        for j in 0..<256 { #expect(query[j] == (rows.scaleColumns.contains(j) ? 0 : codes[j])) }
        // 100 columns pad to 128: the scale takes columns 92…95 (and 124…127, padding).
        let narrow = quantized(DenseMatrix(rows: 1, columns: 100))
        let expected = (0..<128).map { $0 < 100 && !(92..<96).contains($0) ? Int8(3) : 0 }
        #expect(narrow.query([Int8](repeating: 3, count: 100)) == expected)
    }
}
