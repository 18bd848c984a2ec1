import Testing

@testable import KindredLinearAlgebra

@Suite("rows of codes with their scales inline")
struct ScaledCodeRowsTests {
    func quantized(_ matrix: DenseMatrix, bits: Int? = nil) -> ScaledCodeRows {
        matrix.storage.withUnsafeBufferPointer { m in
            ScaledCodeRows(rows: matrix.rows, columns: matrix.columns, bits: bits) {
                m.baseAddress! + $0 * matrix.columns
            }
        }
    }

    @Test("4-bit codes from 128 dimensions up, where they take fewer cache lines than 8-bit ones")
    func bitsByWidth() {
        #expect([48, 100, 127, 128, 256, 300].map { ScaledCodeRows.bits(columns: $0) } == [8, 8, 8, 4, 4, 4])
        #expect(quantized(DenseMatrix(rows: 1, columns: 256)).bytesPerRow == 128)
        #expect(quantized(DenseMatrix(rows: 1, columns: 48)).bytesPerRow == 64)
        #expect(quantized(DenseMatrix(rows: 1, columns: 256), bits: 8).bytesPerRow == 320)
    }

    @Test(
        "codes times the row's scale restore each value to half a step; the scale's columns hold no code",
        arguments: [4, 8])
    func roundTrip(bits: Int) throws {
        var generator = SeededGenerator(seed: 21)
        var matrix = DenseMatrix(rows: 50, columns: 256)
        for i in 0..<50 { for j in 0..<256 { matrix[i, j] = generator.nextGaussian() } }
        let rows = quantized(matrix, bits: bits)
        #expect(rows.codes.count == 50 * rows.bytesPerRow)
        #expect(rows.scaleColumns == (bits == 4 ? [220, 221, 222, 223, 252, 253, 254, 255] : []))
        let top: Float = bits == 4 ? 7 : 127
        for i in 0..<50 {
            let kept = (0..<256).filter { !rows.scaleColumns.contains($0) }
            let largest = kept.map { abs(matrix[i, $0]) }.max()!
            #expect(rows.scale(row: i) == largest / top)
            for j in kept {
                let code = rows.code(row: i, column: j)
                #expect(abs(code) <= Int(top))
                #expect(abs(Float(code) * rows.scale(row: i) - matrix[i, j]) <= rows.scale(row: i) / 2 * 1.0001)
            }
        }
    }

    @Test("narrow 4-bit rows lose nothing to the scale: its columns are padding")
    func narrowRows() throws {
        var matrix = DenseMatrix(rows: 1, columns: 72)
        for j in 0..<72 { matrix[0, j] = Float(j % 15 - 7) / 7 }
        let rows = quantized(matrix, bits: 4)
        #expect(rows.kernelColumns == 128 && rows.bytesPerRow == 64)
        #expect(rows.scaleColumns.allSatisfy { $0 >= 72 })
        #expect(rows.scale(row: 0) == 1.0 / 7)
        #expect((0..<72).map { rows.code(row: 0, column: $0) } == (0..<72).map { $0 % 15 - 7 })
    }

    @Test("a row of zeros, and one with a value that is not finite: scale 0, codes 0", arguments: [4, 8])
    func emptyRows(bits: Int) throws {
        var matrix = DenseMatrix(rows: 2, columns: 130)
        matrix[1, 5] = .nan
        matrix[1, 6] = 1
        let rows = quantized(matrix, bits: bits)
        for row in [0, 1] {
            #expect(rows.scale(row: row) == 0)
            #expect((0..<130).allSatisfy { rows.code(row: row, column: $0) == 0 })
        }
    }

    @Test("a query is padded with zeros and holds zeros where the rows hold their scale")
    func query() throws {
        let codes = (0..<256).map { Int8($0 % 100) + 1 }
        let rows = quantized(DenseMatrix(rows: 1, columns: 256), bits: 4)
        let query = rows.query(codes)
        #expect(query.count == 256)
        for j in 0..<256 { #expect(query[j] == (rows.scaleColumns.contains(j) ? 0 : codes[j])) }
        // 200 columns pad to 256: the scale takes columns 220…223 and 252…255, padding.
        let padded = quantized(DenseMatrix(rows: 1, columns: 200), bits: 4)
        let expected = (0..<256).map { $0 < 200 ? Int8(3) : 0 }
        #expect(padded.query([Int8](repeating: 3, count: 200)) == expected)
        // 8-bit rows take the codes as they are.
        #expect(quantized(DenseMatrix(rows: 1, columns: 48)).query(Array(codes.prefix(48))) == Array(codes.prefix(48)))
    }
}
