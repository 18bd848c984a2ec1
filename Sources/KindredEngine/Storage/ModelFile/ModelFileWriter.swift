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

    /// Writes the file's sections, in order and padded, through `emit`, one section at a time:
    /// the two large float matrices and the sparse rows straight from the model's memory, the
    /// others built one by one (so a model of several gigabytes is never held twice). Each section
    /// is hashed as it is written. Returns the header, which belongs in front of them: its size is
    /// fixed, so a file writer reserves it, streams the sections and then fills it in.
    static func write(_ model: Model, emit: (UnsafeRawBufferPointer) throws -> Void) throws -> Data {
        let zeros = [UInt8](repeating: 0, count: alignment)
        var entries: [TableEntry] = []
        var offset = headerSize
        for section in Section.allCases {
            try withPayload(section, of: model) { parts in
                var checksum = Checksum()
                for part in parts {
                    checksum.update(part)
                    try emit(part)
                }
                let length = parts.reduce(0) { $0 + $1.count }
                try zeros.withUnsafeBytes {
                    try emit(UnsafeRawBufferPointer(rebasing: $0.prefix(align(length) - length)))
                }
                entries.append(
                    TableEntry(section: section, offset: offset, length: length, digest: checksum.finalize()))
                offset += align(length)
            }
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
        case .surfaceForms:
            let forms = model.weighting.vocabulary.surfaceForms
            var writer = BinaryWriter(capacity: 4 + forms.reduce(0) { $0 + BinaryWriter.size(of: $1) })
            writer.write(UInt32(forms.count))
            for form in forms { writer.write(form) }
            return writer.data
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
                metadata.write(
                    article.publishedAt.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) } ?? Int64.min)
                metadata.write(UInt32(article.tags.count))
                for tag in article.tags { metadata.write(tag) }
            }
            return metadata.data
        case .approximateIndex:
            var writer = BinaryWriter()
            guard let index = model.index.approximateIndex else {
                writer.write(UInt32(0))
                return writer.data
            }
            for count in [index.groups, index.lists, index.probes, index.calibrationQueries] {
                writer.write(UInt32(count))
            }
            writer.write([index.calibratedRecall])
            writer.write(index.groupCentroids.storage)
            writer.write(index.groupOffsets)
            writer.write(index.listCentroids.storage)
            writer.write(index.listOffsets)
            writer.write(index.rows)
            guard let graph = index.graph else {
                writer.write(UInt32(0))
                return writer.data
            }
            for count in [graph.degree, graph.beam, graph.calibrationQueries, graph.entries.count] {
                writer.write(UInt32(count))
            }
            writer.write([graph.calibratedRecall])
            writer.write(graph.entries)
            writer.write(graph.adjacency)
            return writer.data
        }
    }

    private static func floatsOrInts(floats: [Float] = [], ints: [Int32] = []) -> Data {
        var writer = BinaryWriter()
        writer.write(floats)
        writer.write(ints)
        return writer.data
    }
}
