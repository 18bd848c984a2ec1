import Foundation
import KindredEncoder
import KindredLinearAlgebra

extension ModelFile {
    /// Decodes a model file's sections in file order, asking `payload` for each one's checked
    /// bytes when its turn comes and keeping nothing of them but what they decode to.
    struct SectionDecoder {
        let fail: (Section?, String) -> ModelFileError
        /// How the decoded model will search (it decides how the index's codes are laid out).
        var search = SearchSettings()
        /// The sections the file has (an older version lacks some).
        var present = Set(Section.allCases)
        let payload: (Section) throws -> Data

        func model() throws -> Model {
            let manifest = try self.manifest()
            let terms = manifest.terms, d = manifest.dimensions, n = manifest.articles
            guard terms > 0, d > 0, n > 0, terms < Int(Int32.max), d <= 4096, n < Int(Int32.max) else {
                throw fail(.manifest, "implausible sizes: \(n) articles, \(terms) terms, \(d) dimensions")
            }
            let termList = try vocabulary(terms: terms)
            let surfaceForms = try self.surfaceForms(terms: terms)
            let frequencies = try section(.documentFrequencies) { try $0.readInt32s(count: terms) }
            let idf = try section(.idf) { try $0.readFloats(count: terms) }
            let termVectors = try section(.termVectors) { try $0.readFloats(count: terms * d) }
            let singularValues = try section(.singularValues) { try $0.readFloats(count: d) }
            let articleVectors = try section(.articleVectors) { try $0.readFloats(count: n * d) }
            let tfidfRows = try sparseRows(.tfidfRows, rows: n, columns: terms)
            let headlineRows = try sparseRows(.headlineRows, rows: n, columns: terms)
            let neighborLists = try self.neighborLists(articles: n)
            let articles = try metadata(articles: n)
            let approximateIndex = try self.approximateIndex(articles: n, dimensions: d)
            let semantic = present.contains(.semanticVectors) ? try semanticVectors(articles: n) : nil
            do {
                let vocabulary = try Vocabulary(
                    terms: termList, documentFrequencies: frequencies, surfaceForms: surfaceForms)
                var model = try Model(
                    manifest: manifest,
                    weighting: TermWeighting(
                        scheme: manifest.parameters.weighting, vocabulary: vocabulary, globalWeights: idf),
                    termVectors: DenseMatrix(rows: terms, columns: d, storage: termVectors),
                    singularValues: singularValues,
                    articleVectors: DenseMatrix(rows: n, columns: d, storage: articleVectors), tfidfRows: tfidfRows,
                    headlineRows: headlineRows, articles: articles, neighborLists: neighborLists,
                    approximateIndex: approximateIndex, search: search)
                model.semantic = semantic
                return model
            } catch {
                throw fail(nil, "inconsistent model: \(error)")
            }
        }

        /// Parses one section with `parse`, which must consume it exactly.
        private func section<T>(_ section: Section, _ parse: (inout BinaryReader) throws -> T) throws -> T {
            var reader = BinaryReader(try payload(section))
            do {
                let value = try parse(&reader)
                guard reader.remaining == 0 else {
                    throw fail(section, "\(reader.remaining) unexpected bytes at the end")
                }
                return value
            } catch let error as BinaryReader.Truncated {
                throw fail(section, "truncated: \(error.reason)")
            }
        }

        /// `SEMV` of a file read for it alone: the manifest gives the article count.
        func semanticVectorsAlone() throws -> SemanticVectors? {
            try semanticVectors(articles: try manifest().articles, searchable: false)
        }

        /// `SEMV`: nil when the model was built without an encoder.
        private func semanticVectors(articles n: Int, searchable: Bool = true) throws -> SemanticVectors? {
            try section(.semanticVectors) { reader in
                let d = Int(try reader.read(UInt32.self))
                guard d > 0 else { return nil }
                guard d <= 4096 else { throw fail(.semanticVectors, "implausible dimension \(d)") }
                let identity = EncoderIdentity(name: try reader.readString(), checksum: try reader.readString())
                let maxTokens = Int(try reader.read(UInt32.self))
                let vectors = try reader.readFloats(count: n * d)
                guard vectors.allSatisfy(\.isFinite) else { throw fail(.semanticVectors, "a vector is not finite") }
                var digests: [SemanticVectors.ContentDigest] = []
                digests.reserveCapacity(n)
                for _ in 0..<n {
                    digests.append(.init(high: try reader.read(UInt64.self), low: try reader.read(UInt64.self)))
                }
                return SemanticVectors(
                    encoder: identity, maxTokens: maxTokens,
                    vectors: DenseMatrix(rows: n, columns: d, storage: vectors),
                    digests: digests, searchable: searchable)
            }
        }

        private func manifest() throws -> Manifest {
            do {
                return try Manifest.decode(try payload(.manifest))
            } catch let error as ModelFileError {
                throw error
            } catch {
                throw fail(.manifest, "not a valid manifest: \(error)")
            }
        }

        private func vocabulary(terms: Int) throws -> [String] {
            try section(.vocabulary) { reader -> [String] in
                let count = Int(try reader.read(UInt32.self))
                guard count == terms else {
                    throw fail(.vocabulary, "holds \(count) terms; the manifest says \(terms)")
                }
                return try (0..<count).map { _ in try reader.readString() }
            }
        }

        private func surfaceForms(terms: Int) throws -> [String] {
            try section(.surfaceForms) { reader -> [String] in
                let count = Int(try reader.read(UInt32.self))
                guard count == terms || count == 0 else {
                    throw fail(.surfaceForms, "holds \(count) forms; the manifest says \(terms) terms")
                }
                return try (0..<count).map { _ in try reader.readString() }
            }
        }

        private func sparseRows(_ which: Section, rows: Int, columns: Int) throws -> CSRMatrix {
            try section(which) { reader -> CSRMatrix in
                let count = try reader.read(UInt64.self)
                guard count <= UInt64(reader.remaining / 8) else { throw fail(which, "claims \(count) entries") }
                let offsets = try (0...rows).map { _ in Int(try reader.read(Int64.self)) }
                let indices = try reader.readInt32s(count: Int(count))
                let values = try reader.readFloats(count: Int(count))
                do {
                    return try CSRMatrix(
                        rows: rows, columns: columns, rowOffsets: offsets, columnIndices: indices, values: values)
                } catch {
                    throw fail(which, "\(error)")
                }
            }
        }

        private func neighborLists(articles n: Int) throws -> NeighborLists {
            try section(.neighborLists) { reader -> NeighborLists in
                let width = Int(try reader.read(UInt32.self))
                guard width <= 1000 else { throw fail(.neighborLists, "claims \(width) entries per article") }
                return NeighborLists(
                    width: width, indices: try reader.readInt32s(count: n * width),
                    scores: try reader.readFloats(count: n * width))
            }
        }

        /// The approximate index, checked (`ApproximateIndex.problem`) before any search could
        /// follow its rows; nil when the model has none.
        private func approximateIndex(articles n: Int, dimensions d: Int) throws -> ApproximateIndex? {
            try section(.approximateIndex) { reader -> ApproximateIndex? in
                let groups = Int(try reader.read(UInt32.self))
                guard groups > 0 else { return nil }
                let lists = Int(try reader.read(UInt32.self)), probes = Int(try reader.read(UInt32.self))
                let queries = Int(try reader.read(UInt32.self))
                let recall = try reader.readFloats(count: 1)[0]
                guard groups <= lists, lists <= n else {
                    throw fail(.approximateIndex, "claims \(groups) groups and \(lists) lists for \(n) articles")
                }
                let partition = InvertedFileIndex(
                    groupCentroids: DenseMatrix(
                        rows: groups, columns: d, storage: try reader.readFloats(count: groups * d)),
                    groupOffsets: try reader.readInt32s(count: groups + 1),
                    listCentroids: DenseMatrix(
                        rows: lists, columns: d, storage: try reader.readFloats(count: lists * d)),
                    listOffsets: try reader.readInt32s(count: lists + 1), rows: try reader.readInt32s(count: n))
                let graph = try graph(articles: n, reader: &reader)
                let index = ApproximateIndex(
                    lists: partition, probes: Calibration(value: probes, recall: recall, queries: queries),
                    graph: graph?.graph, beam: graph?.beam)
                if let problem = index.problem(articles: n, dimensions: d) { throw fail(.approximateIndex, problem) }
                return index
            }
        }

        /// The approximate index's graph and its beam, after its partition in the same section; nil
        /// when it has none (degree 0).
        private func graph(
            articles n: Int, reader: inout BinaryReader
        ) throws -> (graph: NeighborGraph, beam: Calibration)? {
            let degree = Int(try reader.read(UInt32.self))
            guard degree > 0 else { return nil }
            let beam = Int(try reader.read(UInt32.self)), queries = Int(try reader.read(UInt32.self))
            let entryCount = Int(try reader.read(UInt32.self))
            let recall = try reader.readFloats(count: 1)[0]
            guard degree <= 1_024, entryCount <= n else {
                throw fail(.approximateIndex, "claims a graph of degree \(degree) with \(entryCount) entry points")
            }
            let entries = try reader.readInt32s(count: entryCount)
            let graph = NeighborGraph(
                degree: degree, adjacency: try reader.readInt32s(count: n * degree), entries: entries)
            return (graph, Calibration(value: beam, recall: recall, queries: queries))
        }

        private func metadata(articles n: Int) throws -> ArticleTable {
            try section(.metadata) { reader -> ArticleTable in
                // Each article takes at least 32 bytes besides its text (five lengths, the date,
                // the tag count): the rest is text, an exact bound when no article has tags.
                var table = ArticleTable()
                table.reserveCapacity(
                    articles: n, fields: ArticleTable.fixedFields * n, bytes: max(0, reader.remaining - 32 * n))
                for _ in 0..<n {
                    let id = try reader.readString(), title = try reader.readString()
                    let url = try reader.readOptionalString(), sectionName = try reader.readOptionalString()
                    let language = try reader.readString()
                    let milliseconds = try reader.read(Int64.self)
                    let tagCount = Int(try reader.read(UInt32.self))
                    guard tagCount <= reader.remaining / 4 else {
                        throw fail(.metadata, "article '\(id)' claims \(tagCount) tags")
                    }
                    let tags = try (0..<tagCount).map { _ in try reader.readString() }
                    table.append(
                        ArticleMetadata(
                            id: id, title: title, url: url,
                            publishedAt: milliseconds == Int64.min
                                ? nil : Date(timeIntervalSince1970: Double(milliseconds) / 1000),
                            section: sectionName, language: language, tags: tags))
                }
                return table
            }
        }
    }
}
