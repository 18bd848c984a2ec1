import Foundation
import KindredLinearAlgebra

/// Writing a model file (`ModelFileFormat.swift` has the layout).
extension ModelFile {
    /// The file's bytes.
    public static func encode(_ model: Model) throws -> Data {
        var body = Data()
        let header = try write(model) { body.append(contentsOf: $0) }
        return header + body
    }

    /// Writes the file's sections, in order and padded, through `emit`, one part at a time: the
    /// float matrices, the sparse rows and the index's arrays straight from the model's memory,
    /// the metadata in batches of articles, the small sections encoded whole (so a model of
    /// several gigabytes is never held twice). Each section is hashed as it is written. Returns the
    /// header, which belongs in front of them: its size is fixed, so a file writer reserves it,
    /// streams the sections and then fills it in.
    static func write(_ model: Model, emit: (UnsafeRawBufferPointer) throws -> Void) throws -> Data {
        precondition(!model.termVectorsPending, "a model still being built is never written")
        let zeros = [UInt8](repeating: 0, count: alignment)
        var entries: [TableEntry] = []
        var offset = headerSize
        for section in Section.allCases {
            var checksum = Checksum()
            var length = 0
            try writePayload(section, of: model) { part in
                checksum.update(part)
                length += part.count
                try emit(part)
            }
            try zeros.withUnsafeBytes {
                try emit(UnsafeRawBufferPointer(rebasing: $0.prefix(align(length) - length)))
            }
            entries.append(TableEntry(section: section, offset: offset, length: length, digest: checksum.finalize()))
            offset += align(length)
        }
        var header = BinaryWriter()
        header.data.append(contentsOf: magic)
        header.write(UInt32(formatVersion))
        header.write(UInt32(entries.count))
        for entry in entries {
            header.data.append(contentsOf: Array(entry.section.rawValue.utf8))
            header.write(UInt64(entry.offset))
            header.write(UInt64(entry.length))
            header.data.append(contentsOf: entry.digest)
        }
        header.data.append(contentsOf: Checksum.of(header.data))
        header.data.append(Data(count: headerSize - header.data.count))
        return header.data
    }

    /// Articles whose metadata is encoded together before it is written.
    static let metadataBatch = 65_536

    /// Gives a section's bytes to `emit` in parts, in file order (numbers are stored as the host's
    /// bytes, which `BinaryWriter` also assumes little-endian).
    private static func writePayload(
        _ section: Section, of model: Model, _ emit: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        func emitEncoded(_ writer: BinaryWriter) throws { try writer.data.withUnsafeBytes { try emit($0) } }
        switch section {
        case .termVectors: try model.termVectors.storage.withUnsafeBytes { try emit($0) }
        case .articleVectors: try model.index.vectors.storage.withUnsafeBytes { try emit($0) }
        case .tfidfRows: try writeParts(of: model.tfidfRows, emit)
        case .headlineRows: try writeParts(of: model.headlineRows, emit)
        case .metadata:
            for start in stride(from: 0, to: model.articles.count, by: metadataBatch) {
                try emitEncoded(
                    encodedMetadata(model.articles, rows: start..<min(start + metadataBatch, model.articles.count)))
            }
        case .approximateIndex: try writeApproximateIndex(model.index.approximateIndex, emit)
        case .semanticVectors: try writeSemanticVectors(model.semantic, emit)
        case .neighborLists:
            var width = BinaryWriter()
            width.write(UInt32(model.neighborLists.width))
            try emitEncoded(width)
            try model.neighborLists.indices.withUnsafeBytes { try emit($0) }
            try model.neighborLists.scores.withUnsafeBytes { try emit($0) }
        case .manifest: try model.manifest.encoded().withUnsafeBytes { try emit($0) }
        case .vocabulary:
            let terms = model.weighting.vocabulary.terms
            var vocabulary = BinaryWriter(capacity: 4 + terms.reduce(0) { $0 + BinaryWriter.size(of: $1) })
            vocabulary.write(UInt32(model.weighting.vocabulary.count))
            for term in terms { vocabulary.write(term) }
            try emitEncoded(vocabulary)
        case .surfaceForms:
            let forms = model.weighting.vocabulary.surfaceForms
            var writer = BinaryWriter(capacity: 4 + forms.reduce(0) { $0 + BinaryWriter.size(of: $1) })
            writer.write(UInt32(forms.count))
            for form in forms { writer.write(form) }
            try emitEncoded(writer)
        case .documentFrequencies: try model.weighting.vocabulary.documentFrequencies.withUnsafeBytes { try emit($0) }
        case .idf: try model.weighting.globalWeights.withUnsafeBytes { try emit($0) }
        case .singularValues: try model.singularValues.withUnsafeBytes { try emit($0) }
        }
    }

    /// A sparse matrix's section: its entry count (`UInt64`), row offsets (`Int64`), column
    /// indices (`Int32`) and values (`Float`), each array straight from the matrix's memory.
    private static func writeParts(of matrix: CSRMatrix, _ emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        // Row offsets are `Int`, which is `Int64` on every platform Kindred builds for.
        precondition(MemoryLayout<Int>.size == MemoryLayout<Int64>.size, "row offsets are stored as 64-bit integers")
        try withUnsafeBytes(of: UInt64(matrix.nonzeroCount).littleEndian) { try emit($0) }
        try matrix.rowOffsets.withUnsafeBytes { try emit($0) }
        try matrix.columnIndices.withUnsafeBytes { try emit($0) }
        try matrix.values.withUnsafeBytes { try emit($0) }
    }

    /// Some articles' metadata, encoded (the `META` layout).
    private static func encodedMetadata(_ table: ArticleTable, rows: Range<Int>) -> BinaryWriter {
        let articles = rows.map { table[$0] }
        let size = articles.reduce(0) { size, article in
            size + BinaryWriter.size(of: article.id) + BinaryWriter.size(of: article.title)
                + BinaryWriter.size(of: article.url) + BinaryWriter.size(of: article.section)
                + BinaryWriter.size(of: article.language) + 8 + 4
                + article.tags.reduce(0) { $0 + BinaryWriter.size(of: $1) }
        }
        var metadata = BinaryWriter(capacity: size)
        for article in articles {
            metadata.write(article.id)
            metadata.write(article.title)
            metadata.write(optional: article.url)
            metadata.write(optional: article.section)
            metadata.write(article.language)
            metadata.write(article.publishedAt.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) } ?? Int64.min)
            metadata.write(UInt32(article.tags.count))
            for tag in article.tags { metadata.write(tag) }
        }
        return metadata
    }

    /// An optional section's payload when it is absent: its leading count, 0, and nothing after.
    private static func writeAbsent(_ emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        try withUnsafeBytes(of: UInt32(0).littleEndian) { try emit($0) }
    }

    /// The semantic channel's section (`SEMV`): a zero dimension when there is none.
    private static func writeSemanticVectors(
        _ semantic: SemanticVectors?, _ emit: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        guard let semantic else { return try writeAbsent(emit) }
        var head = BinaryWriter()
        head.write(UInt32(semantic.vectors.columns))
        head.write(semantic.encoder.name)
        head.write(semantic.encoder.checksum)
        head.write(UInt32(semantic.maxTokens))
        try head.data.withUnsafeBytes { try emit($0) }
        try semantic.vectors.storage.withUnsafeBytes { try emit($0) }
        var digests = [UInt64]()
        digests.reserveCapacity(2 * semantic.digests.count)
        for digest in semantic.digests { digests += [digest.high.littleEndian, digest.low.littleEndian] }
        try digests.withUnsafeBytes { try emit($0) }
    }

    /// The approximate index's section (`IVFL`): its counts encoded, its arrays from memory.
    private static func writeApproximateIndex(
        _ index: ApproximateIndex?, _ emit: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        guard let index else { return try writeAbsent(emit) }
        let lists = index.lists
        var counts = BinaryWriter()
        for count in [lists.groups, lists.lists, index.probes.value, index.probes.queries] {
            counts.write(UInt32(count))
        }
        counts.write([index.probes.recall])
        try counts.data.withUnsafeBytes { try emit($0) }
        try lists.groupCentroids.storage.withUnsafeBytes { try emit($0) }
        try lists.groupOffsets.withUnsafeBytes { try emit($0) }
        try lists.listCentroids.storage.withUnsafeBytes { try emit($0) }
        try lists.listOffsets.withUnsafeBytes { try emit($0) }
        try lists.rows.withUnsafeBytes { try emit($0) }
        var graphCounts = BinaryWriter()
        guard let graph = index.graph, let beam = index.beam else {
            graphCounts.write(UInt32(0))
            return try graphCounts.data.withUnsafeBytes { try emit($0) }
        }
        for count in [graph.degree, beam.value, beam.queries, graph.entries.count] {
            graphCounts.write(UInt32(count))
        }
        graphCounts.write([beam.recall])
        try graphCounts.data.withUnsafeBytes { try emit($0) }
        try graph.entries.withUnsafeBytes { try emit($0) }
        try graph.adjacency.withUnsafeBytes { try emit($0) }
    }
}
