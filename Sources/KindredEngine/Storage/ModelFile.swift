import Crypto
import Foundation
import KindredLinearAlgebra

/// Kindred's binary model file (`model.kdm`).
///
/// Layout, all integers and floats little-endian, floats IEEE 754 binary32:
///
///     magic          8 bytes   "KINDRED\0"
///     format         UInt32    `formatVersion`
///     sections       UInt32    number of entries in the table
///     table          per section: tag (4 ASCII bytes), offset UInt64, length UInt64, SHA-256 (32 bytes)
///     table digest   32 bytes  SHA-256 of everything above
///     payloads       each section's bytes, at its offset, 64-byte aligned
///
/// Sections (all required):
///
/// | tag    | contents |
/// |--------|----------|
/// | `MANI` | the `Manifest`, JSON |
/// | `VOCB` | UInt32 term count, then each term as UInt32 length + UTF-8 bytes (vocabulary order) |
/// | `DFRQ` | Int32 document frequency per term |
/// | `IDFW` | Float global weight per term (idf or log-entropy weight, as the manifest's parameters say) |
/// | `TVEC` | Float `V`, `(terms × dimensions)` row-major |
/// | `SVAL` | Float singular values, `dimensions` of them |
/// | `AVEC` | Float article vectors, `(articles × dimensions)` row-major |
/// | `TFID` | the articles' TF-IDF rows in CSR form: UInt64 entry count, Int64 row offsets (articles + 1), Int32 term ids, Float values |
/// | `HEAD` | the articles' headline (title and tags) rows, in the same form as `TFID` |
/// | `NBRS` | precomputed related lists: UInt32 width, Int32 article rows (articles × width, −1 pads), Float scores |
/// | `META` | per article: id, title, url?, section?, language (strings), published-at (Int64 ms since 1970, `Int64.min` = none), tag count UInt32 + tags |
///
/// A reader checks the magic, the version, the table digest, every section's bounds and checksum,
/// then every size against the manifest, then the model's invariants. Any failure names the file
/// and the section.
public enum ModelFile {
    public static let formatVersion = 5
    public static let magic: [UInt8] = Array("KINDRED\0".utf8)
    static let alignment = 64

    /// The sections in file order, with a readable name each for error messages.
    public enum Section: String, CaseIterable, Sendable {
        case manifest = "MANI", vocabulary = "VOCB", documentFrequencies = "DFRQ", idf = "IDFW"
        case termVectors = "TVEC", singularValues = "SVAL", articleVectors = "AVEC", tfidfRows = "TFID"
        case headlineRows = "HEAD", neighborLists = "NBRS", metadata = "META"

        public var name: String {
            switch self {
            case .manifest: "manifest"
            case .vocabulary: "vocabulary"
            case .documentFrequencies: "document frequencies"
            case .idf: "global weights"
            case .termVectors: "term vectors"
            case .singularValues: "singular values"
            case .articleVectors: "article vectors"
            case .tfidfRows: "TF-IDF rows"
            case .headlineRows: "headline rows"
            case .neighborLists: "neighbour lists"
            case .metadata: "article metadata"
            }
        }
    }

    /// The file's bytes.
    public static func encode(_ model: Model) throws -> Data {
        var body = Data()
        let header = try write(model) { body.append(contentsOf: $0) }
        return header + body
    }

    /// Writes the file's sections, in order and padded, through `emit`, one section at a time:
    /// the two large float matrices and the sparse rows straight from the model's memory, the
    /// others built one by one (so a model of several gigabytes is never held twice). Returns the
    /// header, which belongs in front of them: its size is fixed, so a file writer reserves it,
    /// streams the sections and then fills it in.
    ///
    /// The checksums (SHA-256, one per section) cost more than the writing itself, so they are
    /// shared out: one core hashes the largest sections that lie in the model's memory while the
    /// other writes every section and hashes the rest. A write of Debian's 300 MB model went from
    /// 0.26 s (each section hashed beside its own write) to about 0.15 s.
    static func write(_ model: Model, emit: (UnsafeRawBufferPointer) throws -> Void) throws -> Data {
        let sections = Section.allCases
        // Hashing a byte costs about one and a half times writing it past the page cache, so the
        // hashing core should take about 5/6 of the bytes for the two to finish together.
        let sizes = sections.map { viewSize($0, of: model) }
        let total = sizes.reduce(0, +)
        var hashedApart = Set<Int>()
        var apartBytes = 0
        for index in sizes.indices.sorted(by: { sizes[$0] > sizes[$1] }) where sizes[index] > 0 {
            if apartBytes + sizes[index] <= total * 5 / 6 {
                hashedApart.insert(index)
                apartBytes += sizes[index]
            }
        }
        var lengths = [Int](repeating: 0, count: sections.count)
        let zeros = [UInt8](repeating: 0, count: alignment)
        // Task 0 hashes the sections set apart; task 1 writes every section and hashes the rest.
        let digests = try Parallel.map(2) { task -> [(Int, SHA256.Digest)] in
            let writes = task == 1
            var found: [(Int, SHA256.Digest)] = []
            for (index, section) in sections.enumerated() {
                let hashes = hashedApart.contains(index) != writes
                guard hashes || writes else { continue }
                try withPayload(section, of: model) { parts in
                    if hashes {
                        var digest = SHA256()
                        for part in parts { digest.update(bufferPointer: part) }
                        found.append((index, digest.finalize()))
                    }
                    guard writes else { return }
                    for part in parts { try emit(part) }
                    let length = parts.reduce(0) { $0 + $1.count }
                    lengths[index] = length
                    try zeros.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0.prefix(align(length) - length))) }
                }
            }
            return found
        }
        var digestOf = [Int: SHA256.Digest]()
        for (index, digest) in digests.joined() { digestOf[index] = digest }
        var header = BinaryWriter()
        header.data.append(contentsOf: magic)
        header.write(UInt32(formatVersion))
        header.write(UInt32(sections.count))
        var offset = headerSize
        for (index, section) in sections.enumerated() {
            header.data.append(contentsOf: Array(section.rawValue.utf8))
            header.write(UInt64(offset))
            header.write(UInt64(lengths[index]))
            header.data.append(contentsOf: digestOf[index]!)
            offset += align(lengths[index])
        }
        header.data.append(contentsOf: SHA256.hash(data: header.data))
        header.data.append(Data(count: headerSize - header.data.count))
        return header.data
    }

    /// The bytes of a section that lies in the model's memory (the float matrices and the sparse
    /// rows), or 0 for one that is encoded when written.
    private static func viewSize(_ section: Section, of model: Model) -> Int {
        func sparse(_ matrix: CSRMatrix) -> Int { 8 + 8 * matrix.rowOffsets.count + 8 * matrix.nonzeroCount }
        switch section {
        case .termVectors: return 4 * model.termVectors.storage.count
        case .articleVectors: return 4 * model.index.vectors.storage.count
        case .tfidfRows: return sparse(model.tfidfRows)
        case .headlineRows: return sparse(model.headlineRows)
        default: return 0
        }
    }

    /// The size of the header `write` returns: magic, version, count, the table and its digest,
    /// padded to the alignment.
    static var headerSize: Int { align(16 + Section.allCases.count * (4 + 8 + 8 + 32) + 32) }

    /// Calls `body` with a section's bytes, in parts: the float matrices and the sparse rows
    /// straight from the model's memory (numbers are stored as the host's bytes, which
    /// `BinaryWriter` also assumes little-endian), the other sections encoded first.
    private static func withPayload(
        _ section: Section, of model: Model, _ body: ([UnsafeRawBufferPointer]) throws -> Void
    ) throws {
        switch section {
        case .termVectors: try model.termVectors.storage.withUnsafeBytes { try body([$0]) }
        case .articleVectors: try model.index.vectors.storage.withUnsafeBytes { try body([$0]) }
        case .tfidfRows: try withParts(of: model.tfidfRows, body)
        case .headlineRows: try withParts(of: model.headlineRows, body)
        default: try encodedPayload(section, of: model).withUnsafeBytes { try body([$0]) }
        }
    }

    /// A sparse matrix's section: its entry count (`UInt64`), row offsets (`Int64`), column
    /// indices (`Int32`) and values (`Float`), each array straight from the matrix's memory.
    private static func withParts(of matrix: CSRMatrix, _ body: ([UnsafeRawBufferPointer]) throws -> Void) throws {
        // Row offsets are `Int`, which is `Int64` on every platform Kindred builds for.
        precondition(MemoryLayout<Int>.size == MemoryLayout<Int64>.size, "row offsets are stored as 64-bit integers")
        let count = UInt64(matrix.nonzeroCount).littleEndian
        try withUnsafeBytes(of: count) { count in
            try matrix.rowOffsets.withUnsafeBytes { offsets in
                try matrix.columnIndices.withUnsafeBytes { indices in
                    try matrix.values.withUnsafeBytes { values in try body([count, offsets, indices, values]) }
                }
            }
        }
    }

    /// The encoded bytes of every section but the float matrices and the sparse rows.
    private static func encodedPayload(_ section: Section, of model: Model) throws -> Data {
        switch section {
        case .manifest:
            return try model.manifest.encoded()
        case .vocabulary:
            let terms = model.weighting.vocabulary.terms
            var vocabulary = BinaryWriter(capacity: 4 + terms.reduce(0) { $0 + BinaryWriter.size(of: $1) })
            vocabulary.write(UInt32(model.weighting.vocabulary.count))
            for term in terms { vocabulary.write(term) }
            return vocabulary.data
        case .documentFrequencies:
            return floatsOrInts(ints: model.weighting.vocabulary.documentFrequencies)
        case .idf:
            return floatsOrInts(floats: model.weighting.globalWeights)
        case .singularValues:
            return floatsOrInts(floats: model.singularValues)
        case .termVectors, .articleVectors, .tfidfRows, .headlineRows:
            preconditionFailure("\(section.name) is written from the model's memory (withPayload)")
        case .neighborLists:
            var lists = BinaryWriter(capacity: 4 + 8 * model.neighborLists.indices.count)
            lists.write(UInt32(model.neighborLists.width))
            lists.write(model.neighborLists.indices)
            lists.write(model.neighborLists.scores)
            return lists.data
        case .metadata:
            let size = model.articles.reduce(0) { size, article in
                size + BinaryWriter.size(of: article.id) + BinaryWriter.size(of: article.title)
                    + BinaryWriter.size(of: article.url) + BinaryWriter.size(of: article.section)
                    + BinaryWriter.size(of: article.language) + 8 + 4
                    + article.tags.reduce(0) { $0 + BinaryWriter.size(of: $1) }
            }
            var metadata = BinaryWriter(capacity: size)
            for article in model.articles {
                metadata.write(article.id)
                metadata.write(article.title)
                metadata.write(optional: article.url)
                metadata.write(optional: article.section)
                metadata.write(article.language)
                metadata.write(article.publishedAt.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) } ?? Int64.min)
                metadata.write(UInt32(article.tags.count))
                for tag in article.tags { metadata.write(tag) }
            }
            return metadata.data
        }
    }

    /// One entry of the section table.
    struct TableEntry {
        var section: Section
        var offset: Int
        var length: Int
        var digest: Data
    }

    /// Reads and checks the header and the section table: magic, version, table checksum, bounds.
    /// `data` holds at least the header (the whole file, or its first `headerSize` bytes);
    /// `fileSize` is the file's length, which the table's bounds are checked against.
    static func readTable(
        _ data: Data, fileSize: Int, fail: (Section?, String) -> ModelFileError
    ) throws -> [Section: TableEntry] {
        var reader = BinaryReader(data)
        do {
            guard data.count >= 16, Array(data.prefix(8)) == magic else {
                throw fail(nil, data.count < 8 ? "too short to be a model file (\(data.count) bytes)" : "not a Kindred model file (wrong magic bytes)")
            }
            _ = try reader.readBytes(count: magic.count)
            let version = try reader.read(UInt32.self)
            guard version == formatVersion else {
                throw fail(nil, "format version \(version); this Kindred reads version \(formatVersion): rebuild the model with 'kindred reindex'")
            }
            let count = try reader.read(UInt32.self)
            guard count == Section.allCases.count else {
                throw fail(nil, "the section table lists \(count) sections, expected \(Section.allCases.count)")
            }
            var table: [Section: TableEntry] = [:]
            for _ in 0..<count {
                let tag = String(decoding: try reader.readBytes(count: 4), as: UTF8.self)
                let offset = try reader.read(UInt64.self), length = try reader.read(UInt64.self)
                let digest = try reader.readBytes(count: 32)
                guard let section = Section(rawValue: tag) else { throw fail(nil, "the section table names an unknown section '\(tag)'") }
                guard offset <= UInt64(fileSize), length <= UInt64(fileSize) - offset else {
                    throw fail(section, "truncated: the section needs bytes \(offset)..<\(offset &+ length) but the file has \(fileSize)")
                }
                table[section] = TableEntry(section: section, offset: Int(offset), length: Int(length), digest: digest)
            }
            let tableEnd = reader.offset
            let storedTableDigest = try reader.readBytes(count: 32)
            guard Data(SHA256.hash(data: data[data.startIndex..<tableEnd])) == storedTableDigest else {
                throw fail(nil, "bad checksum of the section table: the file is damaged")
            }
            for section in Section.allCases where table[section] == nil {
                throw fail(section, "missing from the section table")
            }
            let expected = table.values.map { align($0.offset + $0.length) }.max() ?? 0
            guard expected == fileSize else {
                throw fail(nil, "truncated or padded: the section table describes \(expected) bytes, the file has \(fileSize)")
            }
            return table
        } catch let error as BinaryReader.Truncated {
            throw fail(nil, "truncated: \(error.reason)")
        }
    }

    /// Parses and validates a model file's bytes; `file` names it in errors.
    ///
    /// - Throws: `ModelFileError` naming the file, the section and what is wrong.
    public static func decode(_ data: Data, file: String) throws -> Model {
        func fail(_ section: Section?, _ reason: String) -> ModelFileError {
            ModelFileError(file: file, section: section?.name, reason: reason)
        }
        let table = try readTable(data, fileSize: data.count, fail: fail)
        return try model(fail: fail) { section in
            let entry = table[section]!
            // A slice, not a copy: the decoders copy what they keep out of it.
            return try checked(data[(data.startIndex + entry.offset)..<(data.startIndex + entry.offset + entry.length)], entry, fail)
        }
    }

    /// Reads and validates a model file one section at a time: each section is read, checked
    /// and decoded before the next is read, so a load holds the decoded model and one section's
    /// bytes, never the whole file beside it (a million-article model is a 4.3 GB file: its
    /// server peaked at 8.7 GiB while loading, with the file mapped beside the decoded model).
    ///
    /// - Throws: `ModelFileError` naming the file, the section and what is wrong.
    public static func read(file: String) throws -> Model {
        func fail(_ section: Section?, _ reason: String) -> ModelFileError {
            ModelFileError(file: file, section: section?.name, reason: reason)
        }
        let descriptor = open(file, O_RDONLY)
        guard descriptor >= 0 else { throw fail(nil, "can't read it: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw fail(nil, "can't read it: \(String(cString: strerror(errno)))") }
        let size = Int(status.st_size)
        func bytes(at offset: Int, count: Int) throws -> Data {
            var data = Data(count: count)
            try data.withUnsafeMutableBytes { buffer in
                var done = 0
                while done < count {
                    let got = pread(descriptor, buffer.baseAddress! + done, min(count - done, 1 << 30), off_t(offset + done))
                    if got < 0, errno == EINTR { continue }
                    guard got > 0 else {
                        throw fail(nil, got == 0 ? "ends at byte \(offset + done)" : "can't read it: \(String(cString: strerror(errno)))")
                    }
                    done += got
                }
            }
            return data
        }
        let table = try readTable(try bytes(at: 0, count: min(headerSize, size)), fileSize: size, fail: fail)
        return try model(fail: fail) { section in
            let entry = table[section]!
            return try checked(try bytes(at: entry.offset, count: entry.length), entry, fail)
        }
    }

    /// `payload` when its SHA-256 is the table's.
    private static func checked(_ payload: Data, _ entry: TableEntry, _ fail: (Section?, String) -> ModelFileError) throws -> Data {
        guard Data(SHA256.hash(data: payload)) == entry.digest else {
            throw fail(entry.section, "bad checksum: the file is damaged; rebuild it with 'kindred reindex' or restore a copy")
        }
        return payload
    }

    /// Decodes the sections in file order, asking `payload` for each one's checked bytes when
    /// its turn comes and keeping nothing of them but what they decode to.
    private static func model(
        fail: (Section?, String) -> ModelFileError, payload: (Section) throws -> Data
    ) throws -> Model {
        func section<T>(_ section: Section, _ parse: (inout BinaryReader) throws -> T) throws -> T {
            var reader = BinaryReader(try payload(section))
            do {
                let value = try parse(&reader)
                guard reader.remaining == 0 else { throw fail(section, "\(reader.remaining) unexpected bytes at the end") }
                return value
            } catch let error as BinaryReader.Truncated {
                throw fail(section, "truncated: \(error.reason)")
            }
        }
        let manifest: Manifest
        do {
            manifest = try Manifest.decode(try payload(.manifest))
        } catch let error as ModelFileError {
            throw error
        } catch {
            throw fail(.manifest, "not a valid manifest: \(error)")
        }
        let terms = manifest.terms, d = manifest.dimensions, n = manifest.articles
        guard terms > 0, d > 0, n > 0, terms < Int(Int32.max), d <= 4096, n < Int(Int32.max) else {
            throw fail(.manifest, "implausible sizes: \(n) articles, \(terms) terms, \(d) dimensions")
        }
        let termList = try section(.vocabulary) { reader -> [String] in
            let count = Int(try reader.read(UInt32.self))
            guard count == terms else { throw fail(.vocabulary, "holds \(count) terms; the manifest says \(terms)") }
            return try (0..<count).map { _ in try reader.readString() }
        }
        let frequencies = try section(.documentFrequencies) { try $0.readInt32s(count: terms) }
        let idf = try section(.idf) { try $0.readFloats(count: terms) }
        let termVectors = try section(.termVectors) { try $0.readFloats(count: terms * d) }
        let singularValues = try section(.singularValues) { try $0.readFloats(count: d) }
        let articleVectors = try section(.articleVectors) { try $0.readFloats(count: n * d) }
        func sparseRows(_ which: Section) throws -> CSRMatrix {
            try section(which) { reader -> CSRMatrix in
                let count = try reader.read(UInt64.self)
                guard count <= UInt64(reader.remaining / 8) else { throw fail(which, "claims \(count) entries") }
                let offsets = try (0...n).map { _ in Int(try reader.read(Int64.self)) }
                let indices = try reader.readInt32s(count: Int(count))
                let values = try reader.readFloats(count: Int(count))
                do {
                    return try CSRMatrix(rows: n, columns: terms, rowOffsets: offsets, columnIndices: indices, values: values)
                } catch {
                    throw fail(which, "\(error)")
                }
            }
        }
        let tfidfRows = try sparseRows(.tfidfRows)
        let headlineRows = try sparseRows(.headlineRows)
        let neighborLists = try section(.neighborLists) { reader -> NeighborLists in
            let width = Int(try reader.read(UInt32.self))
            guard width <= 1000 else { throw fail(.neighborLists, "claims \(width) entries per article") }
            return NeighborLists(
                width: width, indices: try reader.readInt32s(count: n * width), scores: try reader.readFloats(count: n * width))
        }
        let articles = try section(.metadata) { reader -> [ArticleMetadata] in
            try (0..<n).map { _ in
                let id = try reader.readString(), title = try reader.readString()
                let url = try reader.readOptionalString(), sectionName = try reader.readOptionalString()
                let language = try reader.readString()
                let milliseconds = try reader.read(Int64.self)
                let tagCount = Int(try reader.read(UInt32.self))
                guard tagCount <= reader.remaining / 4 else { throw fail(.metadata, "article '\(id)' claims \(tagCount) tags") }
                let tags = try (0..<tagCount).map { _ in try reader.readString() }
                return ArticleMetadata(
                    id: id, title: title, url: url,
                    publishedAt: milliseconds == Int64.min ? nil : Date(timeIntervalSince1970: Double(milliseconds) / 1000),
                    section: sectionName, language: language, tags: tags)
            }
        }
        do {
            let vocabulary = try Vocabulary(terms: termList, documentFrequencies: frequencies)
            return try Model(
                manifest: manifest,
                weighting: TermWeighting(scheme: manifest.parameters.weighting, vocabulary: vocabulary, globalWeights: idf),
                termVectors: DenseMatrix(rows: terms, columns: d, storage: termVectors), singularValues: singularValues,
                articleVectors: DenseMatrix(rows: n, columns: d, storage: articleVectors), tfidfRows: tfidfRows,
                headlineRows: headlineRows, articles: articles, neighborLists: neighborLists)
        } catch {
            throw fail(nil, "inconsistent model: \(error)")
        }
    }

    private static func align(_ size: Int) -> Int { (size + alignment - 1) / alignment * alignment }

    private static func floatsOrInts(floats: [Float] = [], ints: [Int32] = []) -> Data {
        var writer = BinaryWriter()
        writer.write(floats)
        writer.write(ints)
        return writer.data
    }
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
