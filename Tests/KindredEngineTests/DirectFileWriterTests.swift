import Foundation
import Testing

@testable import KindredEngine

@Suite("Direct file writer")
struct DirectFileWriterTests {
    /// Writes `parts` through the writer into `directory`, the first 64 bytes reserved and then
    /// filled with a header, and returns what is on disk and what was expected.
    func roundTrip(_ parts: [[UInt8]], direct: Bool) throws -> (written: [UInt8], expected: [UInt8]) {
        let file = (NSTemporaryDirectory() as NSString).appendingPathComponent("direct-\(UUID().uuidString).bin")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let writer = try DirectFileWriter(file: file, bypassingCache: direct, bufferSize: Self.buffer)
        let placeholder = [UInt8](repeating: 0, count: 64)
        try placeholder.withUnsafeBytes { try writer.append($0) }
        for part in parts { try part.withUnsafeBytes { try writer.append($0) } }
        let header = (0..<64).map { UInt8(255 - $0) }
        try header.withUnsafeBytes { try writer.finish(header: $0) }
        let written = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
        return (written, header + parts.flatMap { $0 })
    }

    /// Four blocks: small enough that files of several buffers stay small.
    static let buffer = 4 * DirectFileWriter.blockSize

    /// Bytes that differ at every position, so a misplaced block can't go unnoticed.
    func pattern(_ count: Int, seed: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 251 &+ seed) }
    }

    @Test(
        "files smaller than a block, of whole buffers and of several buffers with a tail come back byte for byte, direct or not",
        arguments: [true, false])
    func sizes(direct: Bool) throws {
        let buffer = Self.buffer
        let cases: [[[UInt8]]] = [
            [],
            [pattern(10, seed: 1)],
            [pattern(DirectFileWriter.blockSize - 64, seed: 2)],
            [pattern(buffer - 64, seed: 3)],
            [pattern(buffer, seed: 4), pattern(3, seed: 5)],
            [pattern(5_000, seed: 6), pattern(2 * buffer + 12_345, seed: 7), pattern(1, seed: 8)],
        ]
        for parts in cases {
            let (written, expected) = try roundTrip(parts, direct: direct)
            #expect(written.count == expected.count, "\(parts.map(\.count))")
            #expect(written == expected, "\(parts.map(\.count))")
        }
    }

    @Test("a file that can't be created is an error naming it")
    func unwritable() {
        #expect(throws: ModelFileError.self) { try DirectFileWriter(file: "/nonexistent-directory/model.kdm") }
    }
}
