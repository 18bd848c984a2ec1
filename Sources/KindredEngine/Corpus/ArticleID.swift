import Foundation

/// The one spelling of an article id.
///
/// "é" can arrive as one code point (NFC) or as "e" plus a combining accent (NFD): a Mac's file
/// names, some CMS exports and copy-paste give the second. Swift's `String` compares the two as
/// equal, but their bytes differ, and bytes are what a model file, a JSON answer, a database's
/// `text` column and a URL hold. Every id that enters Kindred — the corpus, a source row, a path
/// of the API, a journal entry — is therefore put in Unicode Normalization Form C (UAX #15), so
/// that two spellings of one id are one article everywhere, stored and answered the same.
public enum ArticleID {
    /// The id in Normalization Form C.
    public static func normalized(_ id: String) -> String {
        // Pure ASCII (nearly every id) is already in NFC; skip Foundation's copy.
        if id.utf8.allSatisfy({ $0 < 0x80 }) { return id }
        return id.precomposedStringWithCanonicalMapping
    }
}
