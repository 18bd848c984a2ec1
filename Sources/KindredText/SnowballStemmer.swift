import CStemmer

/// A Snowball stemmer for one language, from libstemmer.
///
/// libstemmer's stemmers keep per-instance state, so an instance must not be shared between
/// threads: each `Analyzer` owns its own.
public final class SnowballStemmer {
    private let handle: OpaquePointer
    /// The language code libstemmer resolved (`en`, `de`…).
    public let language: String

    /// A stemmer for an ISO 639-1 code, or nil when libstemmer has no algorithm for it
    /// (an unknown language is indexed unstemmed, not rejected).
    public init?(language: String) {
        guard !language.isEmpty, let handle = sb_stemmer_new(language, "UTF_8") else { return nil }
        self.handle = handle
        self.language = language
    }

    deinit { sb_stemmer_delete(handle) }

    /// The stem of one lower-cased word; the word itself if libstemmer runs out of memory.
    public func stem(_ word: String) -> String {
        var word = word
        return word.withUTF8 { bytes in
            guard let base = bytes.baseAddress,
                let stemmed = sb_stemmer_stem(handle, base, Int32(bytes.count))
            else { return String(decoding: bytes, as: UTF8.self) }
            let length = Int(sb_stemmer_length(handle))
            return String(decoding: UnsafeBufferPointer(start: stemmed, count: length), as: UTF8.self)
        }
    }
}
