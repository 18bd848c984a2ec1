import Testing

@testable import KindredEngine
@testable import KindredLinearAlgebra

/// Related lists whose candidates are found by neighbour descent, against lists from every pair.
@Suite("Neighbour descent", .tags(.slow))
struct NeighborDescentTests {
    static let articles = ApproximateIndexTests.topicalArticles(count: 4_000, topics: 120, seed: 3)

    static func builder(listsFrom: Int) -> ModelBuilder {
        var builder = ModelBuilder(parameters: ModelParameters(dimensions: 48, rerankDepth: 30, neighbors: 20))
        builder.listsFrom = listsFrom
        builder.graphFrom = 0
        return builder
    }

    static let exact: Model = try! builder(listsFrom: 1_000_000).build(articles).model
    static let descended: Model = try! builder(listsFrom: 0).build(articles).model

    /// The share of the first 10 of each article's exact list that its other list holds.
    static func recall(of lists: NeighborLists, against exact: NeighborLists) -> Double {
        var found = 0, wanted = 0
        for row in 0..<articles.count {
            let truth = Set(exact.list(of: row).prefix(10).map(\.index))
            found += lists.list(of: row).prefix(10).count(where: { truth.contains($0.index) })
            wanted += truth.count
        }
        return Double(found) / Double(wanted)
    }

    @Test("lists found by descent agree with lists from every pair, and the build says how far")
    func agreement() throws {
        #expect(Self.exact.manifest.listsDescent == nil)
        let record = try #require(Self.descended.manifest.listsDescent)
        #expect(record.nearestRecall >= 0.9, "\(record)")
        let measured = Self.recall(of: Self.descended.neighborLists, against: Self.exact.neighborLists)
        #expect(measured >= 0.95, "recall@10 \(measured)")
        // The build's sampled figure is the same measurement on fewer articles.
        #expect(abs(Double(record.listsRecall) - measured) < 0.05)
        #expect(Self.descended.neighborLists.width == 20)
        // The graph's candidates came from the descent, and it reached its target.
        #expect(Self.descended.index.approximateIndex?.searchesGraph == true)
    }

    @Test("rounds from a random start find each row's exact nearest, and never lose them")
    func rounds() throws {
        let index = Self.exact.index
        let quantized = QuantizedRows(index.vectors)
        let descent = NeighborDescent(
            codes: quantized.codes, scales: quantized.scales, isEmptyRow: index.isEmptyRow, width: 16)
        let n = index.count
        var generator = SeededGenerator(seed: 7)
        var start = [Int32](repeating: -1, count: n * 16)
        for a in 0..<n {
            for slot in 0..<16 { start[a * 16 + slot] = Int32((a + 1 + Int(generator.next() % UInt64(n - 1))) % n) }
        }
        let truth = descent.exactNearest(of: descent.sample(seed: 1))
        var table = NearestTable(width: 16, rows: start)
        var recalls = [truth.recall(of: table).mean]
        for _ in 0..<5 {
            table = descent.round(table)
            recalls.append(truth.recall(of: table).mean)
        }
        #expect(recalls[0] < 0.05)
        #expect(recalls.last! >= 0.9, "\(recalls)")
        for (before, after) in zip(recalls, recalls.dropFirst()) { #expect(after >= before - 0.01, "\(recalls)") }
        // A row never lists itself or another twice.
        for a in 0..<n {
            let nearest = table.nearest(of: a)
            #expect(!nearest.contains(a) && Set(nearest).count == nearest.count)
        }
    }
}
