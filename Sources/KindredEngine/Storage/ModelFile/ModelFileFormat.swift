import Foundation

/// Kindred's binary model file (`model.kdm`): the layout, shared by `ModelFile.write` and
/// `ModelFile.read`.
///
/// Layout, all integers and floats little-endian, floats IEEE 754 binary32:
///
///     magic          8 bytes   "KINDRED\0"
///     format         UInt32    `formatVersion`
///     sections       UInt32    number of entries in the table
///     table          per section: tag (4 ASCII bytes), offset UInt64, length UInt64, XXH3-128 (16 bytes)
///     table digest   16 bytes  XXH3-128 of everything above
///     payloads       each section's bytes, at its offset, 64-byte aligned
///
/// Digests are XXH3-128 in xxHash's canonical (big-endian) form (`Checksum`).
///
/// Sections (all required; a version-8 file has no `SEMV`, and is read as a model without the
/// semantic channel):
///
/// | tag    | contents |
/// |--------|----------|
/// | `MANI` | the `Manifest`, JSON |
/// | `VOCB` | UInt32 term count, then each term as UInt32 length + UTF-8 bytes (vocabulary order) |
/// | `SURF` | UInt32 count (the term count, or 0 for none), then each term's surface form like a term ("" = the term) |
/// | `DFRQ` | Int32 document frequency per term |
/// | `IDFW` | Float global weight per term (idf or log-entropy weight, as the manifest's parameters say) |
/// | `TVEC` | Float `V`, `(terms × dimensions)` row-major |
/// | `SVAL` | Float singular values, `dimensions` of them |
/// | `AVEC` | Float article vectors, `(articles × dimensions)` row-major |
/// | `TFID` | the articles' TF-IDF rows in CSR form: UInt64 entry count, Int64 row offsets (articles + 1), Int32 term ids, Float values |
/// | `HEAD` | the articles' headline (title and tags) rows, in the same form as `TFID` |
/// | `NBRS` | precomputed related lists: UInt32 width, Int32 article rows (articles × width, −1 pads), Float scores |
/// | `META` | per article: id, title, url?, section?, language (strings), published-at (Int64 milliseconds since 1970, `Int64.min` = none), tag count UInt32 + tags |
/// | `IVFL` | the approximate index (`InvertedFileIndex`): UInt32 groups (0 = none, and nothing follows), lists, probes, calibration queries; Float calibrated recall; Float group centroids (groups × dimensions); Int32 group offsets (groups + 1); Float list centroids (lists × dimensions); Int32 list offsets (lists + 1); Int32 rows (articles); then its graph (`NeighborGraph`): UInt32 degree (0 = none, and nothing follows), beam, calibration queries, entry points; Float calibrated recall; Int32 entry points; Int32 neighbours (articles × degree, −1 pads) |
/// | `SEMV` | the semantic channel (`SemanticVectors`): UInt32 dimension (0 = none, and nothing follows); encoder name and checksum (strings); UInt32 word-piece limit; Float vectors (articles × dimension, zero rows for articles not embedded); per article a UInt64 pair, the content digest (0, 0 for none) |
///
/// A reader checks the magic, the version, the table digest, every section's bounds and checksum,
/// then every size against the manifest, then the model's invariants. Any failure names the file
/// and the section.
public enum ModelFile {
    /// 9: the semantic channel (`SEMV`); version 8 is still read. 8: the approximate index's graph (in `IVFL`). 7: the approximate index (`IVFL`). 6: XXH3-128 checksums (16 bytes) replace SHA-256
    /// (32 bytes), and the terms' surface forms (`SURF`) are stored. Older files are refused with
    /// a message to rebuild.
    public static let formatVersion = 9
    /// The oldest version read: 8 lacks only `SEMV`.
    static let oldestReadVersion = 8
    public static let magic: [UInt8] = Array("KINDRED\0".utf8)
    static let alignment = 64

    /// The sections in file order, with a readable name each for error messages.
    public enum Section: String, CaseIterable, Sendable {
        case manifest = "MANI", vocabulary = "VOCB", surfaceForms = "SURF", documentFrequencies = "DFRQ", idf = "IDFW"
        case termVectors = "TVEC", singularValues = "SVAL", articleVectors = "AVEC", tfidfRows = "TFID"
        case headlineRows = "HEAD", neighborLists = "NBRS", metadata = "META", approximateIndex = "IVFL"
        case semanticVectors = "SEMV"

        public var name: String {
            switch self {
            case .manifest: "manifest"
            case .vocabulary: "vocabulary"
            case .surfaceForms: "surface forms"
            case .documentFrequencies: "document frequencies"
            case .idf: "global weights"
            case .termVectors: "term vectors"
            case .singularValues: "singular values"
            case .articleVectors: "article vectors"
            case .tfidfRows: "TF-IDF rows"
            case .headlineRows: "headline rows"
            case .neighborLists: "neighbour lists"
            case .metadata: "article metadata"
            case .approximateIndex: "approximate index"
            case .semanticVectors: "semantic vectors"
            }
        }
    }

    /// One entry of the section table.
    struct TableEntry {
        var section: Section
        var offset: Int
        var length: Int
        var digest: [UInt8]
    }

    /// The size of the header: magic, version, count, the table and its digest, padded to the
    /// alignment.
    static var headerSize: Int {
        align(16 + Section.allCases.count * (4 + 8 + 8 + Checksum.byteCount) + Checksum.byteCount)
    }

    static func align(_ size: Int) -> Int { (size + alignment - 1) / alignment * alignment }
}

/// A model file that can't be used, with the file, the section and the reason.
public struct ModelFileError: Error, Sendable, CustomStringConvertible, Equatable {
    public let file: String
    /// The section's readable name, or nil for the header and section table.
    public let section: String?
    public let reason: String

    public var description: String {
        section.map { "\(file): section '\($0)': \(reason)" } ?? "\(file): \(reason)"
    }
}
