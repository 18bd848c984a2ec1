import Foundation
import KindredLinearAlgebra

/// Appends little-endian values to a byte buffer.
struct BinaryWriter {
    var data = Data()

    init() {}

    /// A writer whose buffer is allocated once at `capacity` bytes: a large section written into
    /// a growing buffer would briefly hold up to twice its size while the buffer is reallocated.
    init(capacity: Int) {
        data.reserveCapacity(capacity)
    }

    mutating func write<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
    }

    mutating func write(_ values: [Float]) {
        values.withUnsafeBytes { data.append(contentsOf: $0) }
    }

    mutating func write(_ values: [Int32]) {
        values.withUnsafeBytes { data.append(contentsOf: $0) }
    }

    /// A UTF-8 string behind its `UInt32` byte length.
    mutating func write(_ text: String) {
        write(UInt32(text.utf8.count))
        data.append(contentsOf: text.utf8)
    }

    /// An optional string; nil is the length `UInt32.max`.
    mutating func write(optional text: String?) {
        if let text { write(text) } else { write(UInt32.max) }
    }

    /// The bytes `write(_:)` or `write(optional:)` takes for `text`, to size a buffer beforehand.
    static func size(of text: String?) -> Int {
        4 + (text?.utf8.count ?? 0)
    }
}

/// Reads what `BinaryWriter` wrote, checking every length against the bytes that remain.
struct BinaryReader {
    let data: Data
    private(set) var offset: Int
    /// Thrown with a short reason; callers add the file and section.
    struct Truncated: Error { let reason: String }

    init(_ data: Data) {
        self.data = data
        self.offset = data.startIndex
    }

    var remaining: Int { data.endIndex - offset }

    mutating func read<T: FixedWidthInteger>(_: T.Type) throws -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else {
            throw Truncated(reason: "ends inside a \(size)-byte integer at offset \(offset - data.startIndex)")
        }
        var value: T = 0
        withUnsafeMutableBytes(of: &value) { target in
            data.copyBytes(to: target.bindMemory(to: UInt8.self), from: offset..<(offset + size))
        }
        offset += size
        return T(littleEndian: value)
    }

    mutating func readBytes(count: Int) throws -> Data {
        guard count >= 0, remaining >= count else {
            throw Truncated(reason: "needs \(count) bytes but \(remaining) remain")
        }
        defer { offset += count }
        return Data(data[offset..<(offset + count)])
    }

    mutating func readFloats(count: Int) throws -> [Float] { try readArray(count: count, of: "floats") }

    mutating func readInt32s(count: Int) throws -> [Int32] { try readArray(count: count, of: "integers") }

    /// `count` fixed-size values copied out of the buffer, on huge pages when they are many: the
    /// vectors, term vectors and graph a served model searches (`HugePages`).
    private mutating func readArray<T: Numeric & BitwiseCopyable>(count: Int, of what: String) throws -> [T] {
        let size = count * MemoryLayout<T>.size
        guard count >= 0, remaining >= size else {
            throw Truncated(reason: "needs \(count) \(what) (\(size) bytes) but \(remaining) bytes remain")
        }
        let start = offset
        let values = [T](hugePagesFor: count) { target in
            data.copyBytes(
                to: UnsafeMutableRawBufferPointer(target).bindMemory(to: UInt8.self), from: start..<(start + size))
        }
        offset += size
        return values
    }

    mutating func readString() throws -> String {
        try readString(length: Int(read(UInt32.self)))
    }

    mutating func readOptionalString() throws -> String? {
        let length = try read(UInt32.self)
        return length == UInt32.max ? nil : try readString(length: Int(length))
    }

    private mutating func readString(length: Int) throws -> String {
        guard remaining >= length else {
            throw Truncated(reason: "a string of \(length) bytes runs past the end (\(remaining) bytes remain)")
        }
        let bytes = data[offset..<(offset + length)]
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw Truncated(reason: "a string at offset \(offset - data.startIndex) is not valid UTF-8")
        }
        offset += length
        return text
    }
}
