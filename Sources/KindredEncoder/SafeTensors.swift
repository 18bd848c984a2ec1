import Foundation

/// The tensors of a `.safetensors` file: an 8-byte little-endian header length, a JSON header
/// naming each tensor's dtype, shape and byte range, then the raw little-endian data.
///
/// Only what a BERT checkpoint needs is read: `F32` tensors, copied out by name. Every offset is
/// checked against the file's size and the tensor's shape, so a truncated download or a damaged
/// file is refused here rather than read as garbage weights.
struct SafeTensors {
    struct Entry: Decodable {
        let dtype: String
        let shape: [Int]
        let dataOffsets: [Int]

        enum CodingKeys: String, CodingKey {
            case dtype, shape
            case dataOffsets = "data_offsets"
        }
    }

    let path: String
    let bytes: Data
    private let dataStart: Int
    private(set) var entries: [String: Entry] = [:]

    /// Reads and checks the header of the file at `path`.
    init(path: String) throws(EncoderError) {
        self.path = path
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw EncoderError(.missingFile, "\(path) is missing or unreadable")
        }
        self.bytes = bytes
        guard bytes.count >= 8 else { throw Self.corrupt(path, "shorter than its 8-byte header length") }
        let headerLength = bytes.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * $1.offset) }
        guard headerLength <= UInt64(bytes.count - 8), headerLength <= 100_000_000 else {
            throw Self.corrupt(path, "its header claims \(headerLength) bytes, the file has \(bytes.count)")
        }
        dataStart = 8 + Int(headerLength)
        let header = bytes.subdata(in: 8..<dataStart)
        guard let object = try? JSONSerialization.jsonObject(with: header) as? [String: Any] else {
            throw Self.corrupt(path, "its header is not a JSON object")
        }
        let dataLength = bytes.count - dataStart
        for (name, value) in object where name != "__metadata__" {
            guard let json = try? JSONSerialization.data(withJSONObject: value),
                let entry = try? JSONDecoder().decode(Entry.self, from: json)
            else { throw Self.corrupt(path, "tensor \(name) has no dtype, shape and data_offsets") }
            let range = entry.dataOffsets
            guard range.count == 2, range[0] >= 0, range[0] <= range[1], range[1] <= dataLength else {
                throw Self.corrupt(path, "tensor \(name) lies outside the file (truncated download?)")
            }
            entries[name] = entry
        }
    }

    /// The `F32` tensor `name`, which must have `shape`, as row-major floats.
    func floats(_ name: String, shape: [Int]) throws(EncoderError) -> [Float] {
        guard let entry = entries[name] else {
            throw EncoderError(.unsupportedArchitecture, "\(path) has no tensor \(name): not a BERT checkpoint")
        }
        guard entry.shape == shape else {
            throw EncoderError(
                .unsupportedArchitecture,
                "\(path): tensor \(name) has shape \(entry.shape), config.json implies \(shape)")
        }
        guard entry.dtype == "F32" else {
            throw EncoderError(.unsupportedArchitecture, "\(path): tensor \(name) is \(entry.dtype), only F32 is read")
        }
        let count = shape.reduce(1, *)
        let start = dataStart + entry.dataOffsets[0]
        guard entry.dataOffsets[1] - entry.dataOffsets[0] == count * 4 else {
            throw Self.corrupt(
                path, "tensor \(name) holds \(entry.dataOffsets[1] - entry.dataOffsets[0]) bytes for \(count) floats")
        }
        var values = [Float](repeating: 0, count: count)
        values.withUnsafeMutableBytes { out in
            bytes.withUnsafeBytes { raw in
                out.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[start..<(start + count * 4)]))
            }
        }
        // The format is little-endian, as is every CPU Kindred runs on; a big-endian host swaps.
        if UInt32(1).bigEndian == 1 {
            for i in values.indices { values[i] = Float(bitPattern: values[i].bitPattern.byteSwapped) }
        }
        guard values.allSatisfy(\.isFinite) else {
            throw Self.corrupt(path, "tensor \(name) holds values that are not finite numbers")
        }
        return values
    }

    private static func corrupt(_ path: String, _ reason: String) -> EncoderError {
        EncoderError(.corruptFile, "\(path) is not a readable safetensors file: \(reason)")
    }
}
