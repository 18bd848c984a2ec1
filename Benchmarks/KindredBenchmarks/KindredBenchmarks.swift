import Benchmark
import Foundation
import KindredEngine
import KindredLinearAlgebra

/// Kindred's stages, one benchmark each, on one corpus: `KINDRED_BENCH_CORPUS` (a .jsonl file or
/// a directory of them), else the sample corpus. Run with
/// `swift package --allow-writing-to-package-directory benchmark`; docs/performance.md has the
/// figures and the BLAS they were measured with.
///
/// Setup (reading the corpus, building the model the query benchmarks use) happens once, outside
/// every measurement.
enum Fixture {
    static let corpusPath = ProcessInfo.processInfo.environment["KINDRED_BENCH_CORPUS"] ?? "corpus"

    static let articles: [Article] = {
        let read = try! CorpusReader().read(path: corpusPath)
        precondition(!read.articles.isEmpty, "no article in \(corpusPath)")
        return read.articles
    }()

    /// Title and body bytes, for MB/s.
    static let textBytes = articles.reduce(0) { $0 + $1.title.utf8.count + $1.body.utf8.count }

    static var parameters: ModelParameters {
        var parameters = ModelParameters()
        parameters.neighbors = 0
        return parameters
    }

    static let termMatrix = try! ModelBuilder(parameters: parameters).termMatrix(articles)

    static let dimensions = min(256, min(termMatrix.matrix.rows, termMatrix.matrix.columns) - 1)

    static let model: Model = try! ModelBuilder(parameters: parameters).build(articles).model

    static let index = LiveIndex(model: model, version: "benchmark")

    static let encodedModel: Data = try! ModelFile.encode(model)

    /// A draft made of two articles' titles and the start of a third's body.
    static let draft = (
        title: articles[articles.count / 3].title,
        body: articles[articles.count / 2].title + " " + String(articles[articles.count / 5].body.prefix(400))
    )

    /// The index's int8 codes on each engine, as a served model holds them.
    nonisolated(unsafe) private static var productCache: [String: Int8Product] = [:]
    static func products(_ engine: Int8Engine) throws -> Int8Product {
        if let made = productCache[engine.description] { return made }
        let index = model.index
        let made = try Int8Product(
            codes: QuantizedRows(index.vectors).codes, rows: index.count, columns: index.dimensions,
            blockWidth: EmbeddingIndex.blockRows, engine: engine)
        productCache[engine.description] = made
        return made
    }

    static let queryIDs = stride(from: 0, to: articles.count, by: max(1, articles.count / 1000)).map { articles[$0].id }
}

let metrics: [BenchmarkMetric] = [.wallClock, .throughput, .peakMemoryResident, .mallocCountTotal]

func seconds(_ start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: metrics, maxDuration: .seconds(10), maxIterations: 20)
    let megabytesPerSecond = BenchmarkMetric.custom("MB/s", polarity: .prefersLarger, useScalingFactor: false)
    let gigaflops = BenchmarkMetric.custom("GFLOP/s", polarity: .prefersLarger, useScalingFactor: false)
    let gigaops = BenchmarkMetric.custom("int8 GOP/s", polarity: .prefersLarger, useScalingFactor: false)

    Benchmark("analysis", configuration: .init(metrics: metrics + [megabytesPerSecond])) { benchmark in
        let counter = TermCounter(parameters: ModelParameters())
        let start = ContinuousClock.now
        for article in Fixture.articles { blackHole(counter.counts(article)) }
        benchmark.measurement(megabytesPerSecond, Int(Double(Fixture.textBytes) / 1e6 / seconds(start)))
    } setup: {
        _ = Fixture.articles
    }

    Benchmark("vectorise (TF-IDF matrix)") { _ in
        blackHole(try ModelBuilder(parameters: Fixture.parameters).termMatrix(Fixture.articles))
    } setup: {
        _ = Fixture.articles
    }

    Benchmark("randomized SVD", configuration: .init(metrics: metrics, maxIterations: 5)) { _ in
        blackHole(try RandomizedSVD(rank: Fixture.dimensions).decompose(Fixture.termMatrix.matrix))
    } setup: {
        _ = Fixture.termMatrix
    }

    Benchmark("SGEMM peak (block × all vectors)", configuration: .init(metrics: metrics + [gigaflops])) { benchmark in
        let vectors = Fixture.model.index.vectors
        let n = vectors.rows, d = vectors.columns, block = min(256, n)
        var scores = [Float](repeating: 0, count: block * n)
        let start = ContinuousClock.now
        vectors.storage.withUnsafeBufferPointer { v in
            scores.withUnsafeMutableBufferPointer { s in
                BLAS.gemm(
                    transposeA: false, transposeB: true, m: block, n: n, k: d, a: v.baseAddress!, lda: d,
                    b: v.baseAddress!, ldb: d, c: s.baseAddress!, ldc: n)
            }
        }
        benchmark.measurement(gigaflops, Int(2 * Double(block) * Double(n) * Double(d) / 1e9 / seconds(start)))
        blackHole(scores)
    } setup: {
        _ = Fixture.model
    }

    // The candidate stage's product on every engine this CPU runs (docs/performance.md, *Exact
    // search*): the all-pairs shape (a slice of 128 rows against a 4,096-row block,
    // every core) and a single query against every row (a draft, one thread), each beside the
    // Float BLAS call that would do the same work.
    let engines: [Int8Engine] = [.oneDNN] + Int8KernelLevel.allCases.filter(Int8Product.runs).map { .kernel($0) }
    for engine in engines {
        Benchmark(
            "int8 product peak (slice × column block), \(engine)", configuration: .init(metrics: metrics + [gigaops])
        ) {
            benchmark in
            let index = Fixture.model.index
            let codes = QuantizedRows(index.vectors).codes
            let product = try Int8Product(
                codes: codes, rows: index.count, columns: index.dimensions, blockWidth: EmbeddingIndex.blockRows,
                engine: engine)
            let slice = min(128, index.count), width = product.blockRange(0).count
            let workers = ProcessorCount.active
            let start = ContinuousClock.now
            // As the all-pairs search runs it: every core multiplies its own slice, one thread each.
            try codes.withUnsafeBufferPointer { codes in
                let outputs = (0..<workers).map { _ in
                    UnsafeMutableBufferPointer<Float>.allocate(capacity: slice * width)
                }
                defer { outputs.forEach { $0.deallocate() } }
                _ = try Parallel.map(workers) { worker in
                    for _ in 0..<8 {
                        try product.multiply(
                            queries: codes.baseAddress!, count: slice, block: 0, into: outputs[worker].baseAddress!,
                            threads: 1)
                    }
                }
                blackHole(outputs[0][0])
            }
            let operations = 2 * 8 * Double(workers) * Double(slice) * Double(width) * Double(index.dimensions)
            benchmark.measurement(gigaops, Int(operations / 1e9 / seconds(start)))
        } setup: {
            _ = Fixture.model
            print("CPU: \(CPUClass.current.summary)")
            print("BLAS: \(BLASBackend.current.summary)")
            print("int8 candidate stage: \(Fixture.model.index.candidateStage)")
        }

        Benchmark("single query × every row, \(engine)", configuration: .init(metrics: metrics, maxIterations: 1000)) {
            benchmark in
            let index = Fixture.model.index
            let product = try Fixture.products(engine)
            let query = QuantizedRows.quantize(index.vectors.row(benchmark.currentIteration % index.count)).codes
            var dots = [Float](repeating: 0, count: product.blockWidth)
            try query.withUnsafeBufferPointer { q in
                try dots.withUnsafeMutableBufferPointer { out in
                    try product.multiplyEachBlock(queries: q.baseAddress!, count: 1, into: out.baseAddress!, threads: 1)
                    { _ in
                        blackHole(out[0])
                    }
                }
            }
        } setup: {
            _ = try Fixture.products(engine)
        }
    }

    Benchmark("single query × every row, Float sgemv", configuration: .init(metrics: metrics, maxIterations: 1000)) {
        benchmark in
        let index = Fixture.model.index
        blackHole(try BLAS.multiply(index.vectors, index.vectors.row(benchmark.currentIteration % index.count)))
    } setup: {
        _ = Fixture.model
    }

    // The two-stage search as a reindex runs it, and the Float-only reference beside it.
    let allPairs: [(name: String, run: (EmbeddingIndex) throws -> Void)] = [
        ("all-articles top-10", { try $0.allNeighbors(k: 10) { _, neighbors in blackHole(neighbors) } }),
        (
            "all-articles top-10, every pair twice",
            {
                try $0.allNeighbors(k: 10, method: .slices) { _, neighbors in blackHole(neighbors) }
            }
        ),
        (
            "all-articles top-10, Float only",
            { try $0.floatAllNeighbors(k: 10) { _, neighbors in blackHole(neighbors) } }
        ),
    ]
    for (name, run) in allPairs {
        Benchmark(name, configuration: .init(metrics: metrics + [gigaflops], maxIterations: 3)) { benchmark in
            let n = Fixture.model.articles.count, d = Fixture.model.dimensions
            let start = ContinuousClock.now
            try run(Fixture.model.index)
            benchmark.measurement(gigaflops, Int(2 * Double(n) * Double(n) * Double(d) / 1e9 / seconds(start)))
        } setup: {
            _ = Fixture.model
        }
    }

    // Not a speed figure: how often the two-stage search's lists hold the same articles as the
    // Float-only search's (per mille; 1000 = identical), at the depths a reindex uses. An entry
    // counts when it is in the Float list, or scores as high as the Float list's last entry (to
    // 10⁻⁶, the two sum in different orders): Debian has many packages with the same description,
    // whose ties either search may break its own way.
    let recall10 = BenchmarkMetric.custom("recall@10 vs Float (‰)", polarity: .prefersLarger, useScalingFactor: false)
    let recall100 = BenchmarkMetric.custom("recall@100 vs Float (‰)", polarity: .prefersLarger, useScalingFactor: false)
    Benchmark(
        "int8 candidates: agreement with Float-only lists",
        configuration: .init(metrics: [.wallClock, recall10, recall100], maxIterations: 1)
    ) { benchmark in
        let index = Fixture.model.index
        func recall(_ k: Int) throws -> Int {
            var exact: [[ScoredIndex]] = []
            try index.floatAllNeighbors(k: k) { _, list in exact.append(list) }
            var found = 0, total = 0, row = 0
            try index.allNeighbors(k: k) { _, list in
                let reference = Set(exact[row].map(\.index))
                let cut = exact[row].last?.score ?? -.infinity
                found += list.filter { reference.contains($0.index) || $0.score >= cut - 1e-6 }.count
                total += exact[row].count
                row += 1
            }
            return total == 0 ? 1000 : Int((1000 * Double(found) / Double(total)).rounded(.down))
        }
        benchmark.measurement(recall10, try recall(10))
        benchmark.measurement(recall100, try recall(100))
    } setup: {
        _ = Fixture.model
    }

    Benchmark("draft query (top-10)", configuration: .init(metrics: metrics, maxIterations: 1000)) { _ in
        blackHole(
            try Fixture.index.similar(
                title: Fixture.draft.title, body: Fixture.draft.body, language: "en", query: RelatedQuery(k: 10)))
    } setup: {
        _ = Fixture.index
    }

    Benchmark("by-id query (top-10)", configuration: .init(metrics: metrics, maxIterations: 1000)) { benchmark in
        for id in Fixture.queryIDs.prefix(benchmark.scaledIterations.count) {
            blackHole(try Fixture.index.related(to: id, query: RelatedQuery(k: 10)))
        }
    } setup: {
        _ = Fixture.index
    }

    Benchmark("model load (decode and check)", configuration: .init(metrics: metrics, maxIterations: 10)) { _ in
        blackHole(try ModelFile.decode(Fixture.encodedModel, file: "benchmark.kdm"))
    } setup: {
        _ = Fixture.encodedModel
    }
}
