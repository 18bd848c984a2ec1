/// A term as the key of the build's own hash tables (each analysis chunk's local ids, the
/// vocabulary merge), hashed without SipHash when it is ASCII, as nearly every term is.
///
/// Why: those tables see every term occurrence of the corpus, and `Dictionary<String, _>` spends
/// most of a lookup setting up and finalising SipHash for a word of a few bytes (a third of the
/// analysis time on Debian). Here an ASCII term is hashed eight bytes at a time with a
/// multiply-xorshift mix, seeded by the table. Other terms keep `String`'s own hash and equality
/// (canonical equivalence), so the two kinds never meet: an ASCII key equals only the same bytes,
/// a non-ASCII one only what `String` calls equal. Analysis folds case and compatibility forms
/// before terms get here, so no term is canonically equal to an ASCII one (the Kelvin sign is
/// lower-cased to `k`). Not for tables fed by requests: the mix is fast, not flooding-resistant.
struct TermKey: Hashable {
    let text: String
    /// Whether `text` is all ASCII (then compared and hashed as bytes).
    let isASCII: Bool

    init(_ text: String) {
        var text = text
        self.isASCII = text.withUTF8 { bytes in bytes.allSatisfy { $0 < 0x80 } }
        self.text = text
    }

    static func == (lhs: TermKey, rhs: TermKey) -> Bool {
        guard lhs.isASCII == rhs.isASCII else { return false }
        return lhs.text == rhs.text  // for ASCII, String compares the bytes
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(isASCII)
        hasher.combine(text)
    }

    func _rawHashValue(seed: Int) -> Int {
        guard isASCII else {
            var hasher = Hasher()
            hasher.combine(seed)
            hash(into: &hasher)
            return hasher.finalize()
        }
        var text = text
        return text.withUTF8 { bytes in Self.mix(bytes, seed: UInt64(bitPattern: Int64(seed))) }
    }

    /// Eight bytes at a time, each word xored in and multiplied, then a final avalanche
    /// (the finaliser of Stafford's Mix13, as in SplitMix64).
    @inline(__always)
    static func mix(_ bytes: UnsafeBufferPointer<UInt8>, seed: UInt64) -> Int {
        var h = seed ^ (UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15)
        var i = 0
        let base = UnsafeRawPointer(bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!)
        while i + 8 <= bytes.count {
            h = (h ^ base.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 29
            i += 8
        }
        if i < bytes.count {
            var tail: UInt64 = 0
            for j in i..<bytes.count { tail |= UInt64(bytes[j]) << (8 * UInt64(j - i)) }
            h = (h ^ tail) &* 0xBF58_476D_1CE4_E5B9
        }
        h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
        h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int(bitPattern: UInt(h ^ (h >> 31)))
    }
}
