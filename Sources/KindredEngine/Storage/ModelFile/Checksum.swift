import CXXHash
import Foundation

/// A 128-bit XXH3 checksum, computed incrementally (Collet, xxHash 0.8, `XXH3_128bits`).
///
/// The model file's checksums catch damage, truncation and files from other builds; nobody signs a
/// model, so a cryptographic hash would buy nothing over a fast one. XXH3 hashes at memory
/// bandwidth, which let the writer drop the second thread it needed to hide SHA-256, and it comes
/// from a Debian package instead of a compiled copy of BoringSSL.
struct Checksum: ~Copyable {
    /// The digest's size in bytes.
    static let byteCount = 16

    private let state: OpaquePointer

    init() {
        guard let state = XXH3_createState() else { fatalError("XXH3_createState: out of memory") }
        XXH3_128bits_reset(state)
        self.state = state
    }

    deinit { XXH3_freeState(state) }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        XXH3_128bits_update(state, base, bytes.count)
    }

    /// The digest in xxHash's canonical (big-endian) byte order.
    func finalize() -> [UInt8] { Self.canonical(XXH3_128bits_digest(state)) }

    /// The digest of one buffer.
    static func of(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        canonical(XXH3_128bits(bytes.baseAddress, bytes.count))
    }

    static func of<Bytes: ContiguousBytes>(_ bytes: Bytes) -> [UInt8] { bytes.withUnsafeBytes { of($0) } }

    private static func canonical(_ hash: XXH128_hash_t) -> [UInt8] {
        var canonical = XXH128_canonical_t()
        XXH128_canonicalFromHash(&canonical, hash)
        return withUnsafeBytes(of: &canonical.digest) { Array($0) }
    }
}
