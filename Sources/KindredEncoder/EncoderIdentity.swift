import CXXHash
import Foundation

/// Which encoder made a set of vectors: its folder's name and a checksum of the files that fix
/// its output (`config.json`, `vocab.txt`, `model.safetensors`).
///
/// Vectors from two encoders live in different spaces, so a model records the identity of the one
/// that embedded its articles, and a server refuses to mix it with another (`matches`). The
/// checksum is XXH3-128 (Collet, xxHash 0.8): it guards against mix-ups and damage, not tampering.
public struct EncoderIdentity: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    /// The encoder's folder name, e.g. `all-MiniLM-L6-v2`: for people, not for matching.
    public let name: String
    /// XXH3-128 of the three files, 32 hex digits.
    public let checksum: String

    public init(name: String, checksum: String) {
        self.name = name
        self.checksum = checksum
    }

    /// The identity of files with these contents.
    static func of(name: String, files: [Data]) -> EncoderIdentity {
        guard let state = XXH3_createState() else { fatalError("XXH3_createState: out of memory") }
        defer { XXH3_freeState(state) }
        XXH3_128bits_reset(state)
        for file in files {
            var length = UInt64(file.count).littleEndian
            withUnsafeBytes(of: &length) { _ = XXH3_128bits_update(state, $0.baseAddress, $0.count) }
            file.withUnsafeBytes { _ = XXH3_128bits_update(state, $0.baseAddress, $0.count) }
        }
        var canonical = XXH128_canonical_t()
        XXH128_canonicalFromHash(&canonical, XXH3_128bits_digest(state))
        let hex = withUnsafeBytes(of: &canonical.digest) { $0.map { String(format: "%02x", $0) }.joined() }
        return EncoderIdentity(name: name, checksum: hex)
    }

    /// Whether vectors made by `other` can sit beside vectors made by this encoder.
    public func matches(_ other: EncoderIdentity) -> Bool { checksum == other.checksum }

    /// `all-MiniLM-L6-v2, checksum 1a2b3c4d…`: the first 8 hex digits are plenty for people.
    public var description: String { "\(name), checksum \(checksum.prefix(8))" }
}
