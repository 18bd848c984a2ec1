import Foundation
import Testing

@testable import KindredEngine
@testable import KindredLinearAlgebra

/// The approximate index on a corpus large enough to have many lists: its build, its file
/// section, its agreement with exact search, and live writes and deletes through it.
@Suite("Approximate index", .tags(.slow))
struct ApproximateIndexTests {
    /// A made-up archive: `topics` subjects, each with its own 40 words, and a background of 1,500
    /// words every article draws from. Each article takes two fifths of its words from its subject,
    /// one fifth from a second one, the rest from the background: neighbourhoods overlap, as
    /// real archives' do, so a list does not hold an article's every neighbour.
    static func topicalArticles(count: Int, topics: Int, seed: UInt64, idPrefix: String = "a") -> [Article] {
        var generator = SeededGenerator(seed: 20_261_126)
        let syllables = [
            "ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "de", "gu", "va", "zo", "be", "fi", "ho", "ju",
        ]
        func word() -> String {
            (0..<3).map { _ in syllables[Int(generator.next() % UInt64(syllables.count))] }.joined()
        }
        let background = (0..<1_500).map { _ in word() }
        let subjects = (0..<topics).map { _ in (0..<40).map { _ in word() } }
        generator = SeededGenerator(seed: seed)
        return (0..<count).map { i in
            let topic = subjects[Int(generator.next() % UInt64(topics))]
            let aside = subjects[Int(generator.next() % UInt64(topics))]
            let words = (0..<60).map { _ in
                let draw = generator.next() % 5
                return draw < 2
                    ? topic[Int(generator.next() % UInt64(topic.count))]
                    : draw == 2
                        ? aside[Int(generator.next() % UInt64(aside.count))]
                        // Squared uniform: frequent words at the front of the background, like Zipf's.
                        : background[Int(pow(Double(generator.next() % 10_000) / 10_000, 2) * Double(background.count))]
            }
            return Article(
                id: "\(idPrefix)\(i)", title: words.prefix(6).joined(separator: " "),
                body: words.dropFirst(6).joined(separator: " "), section: i % 2 == 0 ? "even" : "odd")
        }
    }

    static let articles = topicalArticles(count: 4_000, topics: 120, seed: 1)
    /// A builder that gives this small corpus a graph too.
    static var builder: ModelBuilder {
        var builder = ModelBuilder(parameters: ModelParameters(dimensions: 48, neighbors: 0))
        builder.graphFrom = 0
        return builder
    }
    static let built: Model = try! builder.build(articles).model
    /// The built model as a server loads it to search approximately.
    static let approximate: Model = try! ModelFile.decode(
        ModelFile.encode(built), file: "approximate.kdm", search: SearchSettings(mode: .approximate))

    @Test("the build partitions every article into lists and calibrates its probes")
    func build() throws {
        let approximate = try #require(Self.built.index.approximateIndex)
        let index = approximate.lists
        // Groups get lists in proportion to their share of the sample, rounded.
        #expect(abs(index.lists - 4_000 / InvertedFileIndex.listSize) <= 4)
        #expect(index.groups == Int(Double(index.lists).squareRoot().rounded()))
        #expect(approximate.problem(articles: 4_000, dimensions: 48) == nil)
        #expect(Set(index.rows).count == 4_000)
        #expect(approximate.probes.queries == EmbeddingIndex.calibrationQueries)
        #expect(approximate.probes.recall >= ApproximateIndex.calibrationTarget)
        // Fewer lists than all: otherwise the index would be an exact scan with extra steps.
        #expect(approximate.probes.value < index.lists)
        // Each list's rows are nearer its centroid than the average list centroid is.
        var inside = 0.0, overall = 0.0
        for list in 0..<index.lists {
            let centroid = index.listCentroids.row(list)
            for position in Int(index.listOffsets[list])..<Int(index.listOffsets[list + 1]) {
                inside += Double(Vector.dot(centroid, Self.built.index.vectors.row(Int(index.rows[position]))))
            }
            overall +=
                Double(Vector.dot(centroid, Self.built.index.vectors.row(list % 4_000))) * 4_000 / Double(index.lists)
        }
        #expect(inside / 4_000 > 2 * overall / 4_000)
        // The index's three stages are timed apart.
        for stage in ["lists", "graph", "calibration"] { #expect(Self.built.manifest.stageSeconds[stage] != nil) }
    }

    @Test("the build links every article into a graph that reaches all of them, and calibrates its beam")
    func graph() throws {
        let index = try #require(Self.built.index.approximateIndex)
        let graph = try #require(index.graph), beam = try #require(index.beam)
        #expect(graph.problem(articles: 4_000) == nil)
        #expect(graph.degree == NeighborGraph.defaultDegree)
        #expect(graph.entries.count == NeighborGraph.entryCount)
        // The check takes every article the first sample left, 4,000 being fewer than both samples.
        #expect(
            beam.queries == min(EmbeddingIndex.heldOutQueries, 4_000 - EmbeddingIndex.calibrationQueries))
        #expect(beam.recall >= ApproximateIndex.calibrationTarget)
        #expect(index.searchesGraph)
        // A beam narrower than the articles: otherwise the graph would be an exact scan.
        #expect(beam.value < 4_000)
        var reached = Set(graph.entries)
        var frontier = graph.entries
        var links = 0
        while let article = frontier.popLast() {
            for neighbour in graph.adjacency[Int(article) * graph.degree..<Int(article + 1) * graph.degree]
            where neighbour >= 0 {
                links += 1
                if reached.insert(neighbour).inserted { frontier.append(neighbour) }
            }
        }
        #expect(reached.count == 4_000)
        // Pruning keeps several links an article, not a chain.
        #expect(links > 8 * 4_000)
        // Neighbours are near: closer on average than a random pair by far.
        var near = 0.0
        for article in 0..<100 {
            let first = graph.adjacency[article * graph.degree]
            near += Double(
                Vector.dot(Self.built.index.vectors.row(article), Self.built.index.vectors.row(Int(first))))
        }
        #expect(near / 100 > 0.5)
    }

    @Test("a build with related lists links each article among its exact nearest, found by the lists' search")
    func graphFromRelatedLists() throws {
        var builder = Self.builder
        builder.parameters.neighbors = 10
        builder.parameters.rerankDepth = NeighborGraph.initialNeighbors
        let withLists = try builder.build(Self.articles).model
        let graph = try #require(withLists.index.approximateIndex?.graph)
        #expect(try #require(withLists.index.approximateIndex?.beam).recall >= ApproximateIndex.calibrationTarget)
        let width = NeighborGraph.initialNeighbors
        var nearest = [Set<Int32>](repeating: [], count: Self.articles.count)
        try withLists.index.floatAllNeighbors(k: width) { row, found in
            nearest[row] = Set(found.map { Int32($0.index) })
        }
        // A link is a candidate: among the article's nearest, or the other's (the links back).
        func candidateShare(_ graph: NeighborGraph) -> Double {
            var links = 0, candidates = 0
            for article in 0..<Self.articles.count {
                for other in graph.adjacency[article * graph.degree..<(article + 1) * graph.degree] where other >= 0 {
                    links += 1
                    if nearest[article].contains(other) || nearest[Int(other)].contains(Int32(article)) {
                        candidates += 1
                    }
                }
            }
            return Double(candidates) / Double(max(links, 1))
        }
        // The exact search's candidates, up to ties within its int8 stage's margin.
        #expect(candidateShare(graph) > 0.995)
        // The lists' 4-bit scan of 8 lists, without related lists, misses some of them.
        let fromLists = try #require(Self.built.index.approximateIndex?.graph)
        #expect(candidateShare(fromLists) < candidateShare(graph))
    }

    @Test("the graph's links written over its candidates are the links written apart")
    func linksInPlace() throws {
        let index = try #require(Self.built.index.approximateIndex)
        let vectors = Self.built.index.vectors
        let quantized = QuantizedRows(vectors)
        let lists = ListScan(index.lists, vectors: vectors)
        func graph(reusing: Bool) -> NeighborGraph {
            NeighborGraph.built(
                lists: lists, codes: quantized.codes, scales: quantized.scales, isEmptyRow: Self.built.index.isEmptyRow,
                seed: 7, reusingCandidates: reusing)
        }
        let reused = graph(reusing: true)
        #expect(reused == graph(reusing: false))
        #expect(reused.problem(articles: vectors.rows) == nil)
        #expect(reused.adjacency.contains(-1), "padding after a pruned article's last link")
    }

    @Test("a build is the same every time: the partition follows the seed")
    func deterministic() throws {
        let again = try Self.builder.build(Self.articles).model
        #expect(again.index.approximateIndex == Self.built.index.approximateIndex)
        // Below `graphFrom` the index holds lists alone, searched as before.
        let listsOnly = try ModelBuilder(parameters: ModelParameters(dimensions: 48, neighbors: 0)).build(
            Self.articles
        ).model
        #expect(listsOnly.index.approximateIndex?.graph == nil)
        #expect(
            listsOnly.index.approximateIndex?.with(
                graph: again.index.approximateIndex?.graph, beam: again.index.approximateIndex?.beam)
                == again.index.approximateIndex)
    }

    @Test("the section round-trips through the model file, and a model loads to search either way")
    func roundTrip() throws {
        #expect(Self.approximate.index.approximateIndex == Self.built.index.approximateIndex)
        #expect(Self.approximate.index.searchesApproximately)
        #expect(Self.approximate.index.candidateStage.hasPrefix("approximate"))
        #expect(Self.approximate.index.searchesGraph)
        #expect(Self.approximate.index.candidateStage.contains("graph of degree 32"))
        let exact = try ModelFile.decode(ModelFile.encode(Self.built), file: "exact.kdm")
        // 4,000 articles are below the automatic threshold: searched exactly by default.
        #expect(!exact.index.searchesApproximately)
        #expect(exact.index.approximateIndex == Self.built.index.approximateIndex)
        let probed = try ModelFile.decode(
            ModelFile.encode(Self.built), file: "probes.kdm", search: SearchSettings(mode: .approximate, probes: 3))
        #expect(probed.index.probes == 3)
        let beamed = try ModelFile.decode(
            ModelFile.encode(Self.built), file: "beam.kdm", search: SearchSettings(mode: .approximate, beam: 40))
        #expect(beamed.index.beam == 40)
    }

    @Test("at 128 dimensions the graph walks 4-bit rows, reaches the target and agrees with exact search")
    func fourBitWalk() throws {
        var builder = Self.builder
        builder.parameters.dimensions = 128
        let built = try builder.build(Self.articles).model
        #expect(built.index.approximateIndex?.graph != nil)
        #expect(try #require(built.index.approximateIndex?.beam).recall >= ApproximateIndex.calibrationTarget)
        let model = try ModelFile.decode(
            ModelFile.encode(built), file: "wide.kdm", search: SearchSettings(mode: .approximate))
        #expect(model.index.searchesGraph)
        #expect(model.index.candidateStage.contains("int4"))
        let drafts = Self.topicalArticles(count: 300, topics: 120, seed: 2, idPrefix: "draft").compactMap {
            model.queryVector(title: $0.title, body: $0.body)
        }
        let queries =
            drafts.map { Model.RecallQuery(vector: $0) }
            + (0..<300).map {
                Model.RecallQuery(vector: model.queryVector(row: $0 * 13)!, excludedRow: $0 * 13)
            }
        #expect(try model.approximateRecall(of: queries, k: 10).recall >= 0.98)
    }

    @Test("auto searches approximately only in a large archive whose probes are at most a quarter of the lists")
    func automaticMode() throws {
        // Without a graph that reached the target, the lists decide.
        let index = try #require(Self.built.index.approximateIndex).with(graph: nil, beam: nil)
        let lists = index.lists.lists
        let cheap = index.with(probes: Calibration(value: lists / 4, recall: 0.99, queries: 256))
        let costly = index.with(probes: Calibration(value: lists / 4 + 1, recall: 0.99, queries: 256))
        let graph = try #require(Self.built.index.approximateIndex?.graph)
        let beam = try #require(Self.built.index.approximateIndex?.beam)
        let graphed = costly.with(graph: graph, beam: beam)
        let short = costly.with(graph: graph, beam: Calibration(value: 4_096, recall: 0.9, queries: 256))
        let auto = SearchSettings()
        #expect(auto.usesApproximateIndex(articles: SearchSettings.automaticThreshold, index: cheap))
        #expect(!auto.usesApproximateIndex(articles: SearchSettings.automaticThreshold - 1, index: cheap))
        #expect(!auto.usesApproximateIndex(articles: 1_000_000, index: costly))
        #expect(!auto.usesApproximateIndex(articles: 1_000_000, index: nil))
        // A graph that reached the target pays whatever the lists probe; one that did not, does not.
        #expect(auto.usesApproximateIndex(articles: 1_000_000, index: graphed))
        #expect(!auto.usesApproximateIndex(articles: SearchSettings.automaticThreshold - 1, index: graphed))
        #expect(!auto.usesApproximateIndex(articles: 1_000_000, index: short))
        #expect(SearchSettings(mode: .approximate).usesApproximateIndex(articles: 10, index: costly))
        #expect(!SearchSettings(mode: .exact).usesApproximateIndex(articles: 1_000_000, index: cheap))
    }

    @Test("a beam chosen on one sample is widened by eighths until a held-out sample reaches the target too")
    func heldOutCheck() {
        let target = ApproximateIndex.calibrationTarget
        var measured: [Int] = []
        // Held-out recall climbing 0.004 each quarter wider from 0.01 below the target at beam 100.
        func rising(_ beam: Int) -> SampledRecall {
            measured.append(beam)
            let steps = beam > 100 ? Int(log(Double(beam) / 100) / log(1.25) + 0.5) : 0
            return SampledRecall(exactly: min(1, target - 0.01 + 0.004 * Float(steps)))
        }
        let widened = EmbeddingIndex.widened((100, SampledRecall(exactly: target)), upTo: 4_096, recall: rising)
        #expect(widened.0 == 177 && widened.1.reaches(target))
        #expect(measured == [100, 112, 126, 141, 158, 177])
        // Already there: kept as chosen, with the held-out figure.
        #expect(EmbeddingIndex.widened((100, 0.99), upTo: 4_096) { _ in 0.987 } == (100, 0.987))
        // A choice below the target (a plateaued graph) is measured, not widened.
        measured = []
        let short = EmbeddingIndex.widened((100, 0.97), upTo: 4_096, recall: rising)
        #expect(short == (100, SampledRecall(exactly: target - 0.01)))
        #expect(measured == [100])
        // A held-out recall that stopped rising gives up after four flat steps; the widest beam bounds it.
        #expect(EmbeddingIndex.widened((100, SampledRecall(exactly: target)), upTo: 4_096) { _ in 0.95 }.0 == 158)
        let bounded = EmbeddingIndex.widened((100, SampledRecall(exactly: target)), upTo: 120) {
            SampledRecall(exactly: Float($0) / 1_000 + 0.8)
        }
        #expect(bounded.0 == 120)
    }

    @Test("held-out drafts find what exact search finds, through the graph and the lists; probing every list is exact")
    func agreement() throws {
        let drafts = Self.topicalArticles(count: 300, topics: 120, seed: 2, idPrefix: "draft").compactMap {
            Self.approximate.queryVector(title: $0.title, body: $0.body)
        }
        #expect(drafts.count == 300)
        let queries = drafts.map { Model.RecallQuery(vector: $0) }
        let calibrated = try Self.approximate.approximateRecall(of: queries, k: 10)
        #expect(calibrated.recall >= 0.98)
        let lists = try Self.approximate.approximateRecall(
            of: queries, k: 10, probes: Self.approximate.index.approximateIndex!.probes.value)
        #expect(lists.recall >= 0.98)
        // The walk navigates at its calibrated beam: from the entry points to each article itself.
        let graph = try #require(Self.built.index.approximateIndex?.graph)
        let beam = try #require(Self.built.index.approximateIndex?.beam).value
        let vectors = Self.built.index.vectors
        let quantized = QuantizedRows(vectors)
        let rows = vectors.storage.withUnsafeBufferPointer { v in
            ScaledCodeRows(rows: 4_000, columns: 48) { v.baseAddress! + $0 * 48 }
        }
        for row in stride(from: 0, to: 4_000, by: 80) {
            let found = graph.search(
                query: rows.query(Array(quantized.codes[row * 48..<(row + 1) * 48])), rows: rows, beam: beam)
            #expect(found.count == beam)
            // Itself, or a near twin that 4-bit rounding puts level with it.
            #expect(found.prefix(3).contains { $0.index == row })
            // Held out (as the calibration walks), never reached, and the beam still fills.
            let around = graph.search(
                query: rows.query(Array(quantized.codes[row * 48..<(row + 1) * 48])), rows: rows, beam: beam,
                heldOut: row)
            #expect(around.count == beam && !around.contains { $0.index == row })
        }
        // Articles searched as drafts of themselves: the calibration's measure, on other articles.
        let heldOut = (0..<300).map {
            Model.RecallQuery(
                vector: Self.approximate.queryVector(row: $0 * 13 + 5)!, excludedRow: $0 * 13 + 5, heldOut: true)
        }
        #expect(try Self.approximate.approximateRecall(of: heldOut, k: 10).recall >= 0.98)
        let everyList = try Self.approximate.approximateRecall(
            of: queries, k: 10, probes: Self.approximate.index.approximateIndex!.lists.lists)
        #expect(everyList.recall == 1)
        #expect(everyList.complete == 300)
        // One probe (widened until it holds the int4 stage's 800 candidates) misses some: the
        // measurement tells the settings apart.
        let one = try Self.approximate.approximateRecall(of: queries, k: 10, probes: 1)
        #expect(one.recall < calibrated.recall)
        // The exact search of an approximate model is the exact-mode model's search, score for score.
        let exactModel = try ModelFile.decode(ModelFile.encode(Self.built), file: "exact.kdm")
        for query in drafts.prefix(50) {
            let viaLists = try Self.approximate.rank(query, k: 10, exact: true)
            let viaProduct = try exactModel.rank(query, k: 10)
            #expect(viaLists.map(\.index) == viaProduct.map(\.index))
        }
    }

    @Test("a filter too narrow for the probed lists still gets every admitted article")
    func narrowFilter() throws {
        let query = try #require(Self.approximate.queryVector(row: 0))
        let allowed: Set<Int> = [17, 1_234, 2_345, 3_456, 3_999]
        let found = try Self.approximate.rank(query, k: 10, probes: 1) { !allowed.contains($0) }
        #expect(Set(found.map(\.index)) == allowed)
        // The graph's beam holds too few of them: the lists answer instead.
        let viaDefault = try Self.approximate.rank(query, k: 10) { !allowed.contains($0) }
        #expect(Set(viaDefault.map(\.index)) == allowed)
    }

    @Test("writes between reindexes: a PUT is found, a DELETE is never returned, an update hides the old text")
    func liveWrites() throws {
        var index = LiveIndex(model: Self.approximate, version: "test")
        let query = RelatedQuery.unshaped(k: 10)
        let source = Self.articles[42]
        // A new article with the same text as article 42: the nearest to a draft of that text.
        index = index.upserting(Article(id: "fresh", title: source.title, body: source.body))
        let draft = try index.similar(title: source.title, body: source.body, language: nil, query: query)
        #expect(Set(draft.results.prefix(2).map(\.article.id)) == ["fresh", source.id])
        // Deleted: gone from every list, drafts and by id alike.
        let neighbours = try index.related(to: "a43", query: query).results.map(\.article.id)
        index = try #require(index.deleting(source.id))
        for id in neighbours.prefix(5) where id != source.id && id != "fresh" {
            #expect(
                !(try index.related(to: id, query: RelatedQuery.unshaped(k: 50)).results.contains {
                    $0.article.id == source.id
                }))
        }
        #expect(
            !(try index.similar(title: source.title, body: source.body, language: nil, query: query)).results.contains {
                $0.article.id == source.id
            })
        // Rewritten: article 7 now tells article 42's story; its old neighbours no longer rank it first.
        let rewritten = Self.articles[7]
        index = index.upserting(Article(id: rewritten.id, title: source.title, body: source.body))
        let nowNear = try index.similar(title: source.title, body: source.body, language: nil, query: query)
        #expect(nowNear.results.prefix(2).map(\.article.id).contains(rewritten.id))
        let oldStory = try index.similar(title: rewritten.title, body: rewritten.body, language: nil, query: query)
        #expect(oldStory.results.first?.article.id != rewritten.id)
    }

    @Test("a damaged approximate index is refused, naming the section, whether its checksum matches or not")
    func corruption() throws {
        var bytes = [UInt8](try ModelFile.encode(Self.built))
        let table = try ModelFile.readTable(Data(bytes), fileSize: bytes.count) {
            ModelFileError(file: "m", section: $0?.name, reason: $1)
        }
        let entry = try #require(table[.approximateIndex])
        // A flipped bit in the rows: the checksum catches it.
        var flipped = bytes
        flipped[entry.offset + entry.length - 5] ^= 0x10
        #expect {
            try ModelFile.decode(Data(flipped), file: "flipped.kdm")
        } throws: { error in
            let error = error as? ModelFileError
            return error?.section == "approximate index" && error!.reason.contains("checksum")
        }
        // A row listed twice, written with a valid checksum (a bug, not damage): the check catches it.
        let index = try #require(Self.built.index.approximateIndex).lists
        let d = index.dimensions
        let centroids = index.groups * d + index.groups + 1 + index.lists * d + index.lists + 1
        let rowsEnd =
            entry.offset + 20 + 4 * (centroids + 4_000)
        var twice = bytes
        twice.replaceSubrange((rowsEnd - 4)..<rowsEnd, with: bytes[(rowsEnd - 8)..<(rowsEnd - 4)])
        #expect {
            try ModelFile.decode(Data(try Self.rechecksummed(twice, entry: entry)), file: "twice.kdm")
        } throws: { error in
            let error = error as? ModelFileError
            return error?.section == "approximate index" && error!.reason.contains("listed twice")
        }
        // The graph's last link pointing past the last article, with a valid checksum.
        let lastLink = entry.offset + entry.length - 4
        bytes.replaceSubrange(
            lastLink..<(lastLink + 4), with: withUnsafeBytes(of: Int32(4_000).littleEndian, Array.init))
        #expect {
            try ModelFile.decode(Data(try Self.rechecksummed(bytes, entry: entry)), file: "link.kdm")
        } throws: { error in
            let error = error as? ModelFileError
            return error?.section == "approximate index" && error!.reason.contains("graph: article 3999's neighbour")
        }
    }

    /// `bytes` with `entry`'s checksum, and the table's, made to match its changed payload.
    static func rechecksummed(_ bytes: [UInt8], entry: ModelFile.TableEntry) throws -> [UInt8] {
        var bytes = bytes
        let digest = Checksum.of(Data(bytes[entry.offset..<(entry.offset + entry.length)]))
        let sections = ModelFile.Section.allCases
        let position = try #require(sections.firstIndex(of: .approximateIndex))
        let entryStart = 16 + position * (4 + 8 + 8 + Checksum.byteCount)
        bytes.replaceSubrange((entryStart + 20)..<(entryStart + 20 + Checksum.byteCount), with: digest)
        let tableEnd = 16 + sections.count * (4 + 8 + 8 + Checksum.byteCount)
        bytes.replaceSubrange(
            tableEnd..<(tableEnd + Checksum.byteCount), with: Checksum.of(Data(bytes[0..<tableEnd])))
        return bytes
    }
}
