// swift-tools-version: 6.1
import PackageDescription

import class Foundation.ProcessInfo

/// Kindred: a related-articles engine (LSA on BLAS/LAPACK).
///
/// Dependencies point one way: the `kindred` CLI and KindredServer → KindredAPI → KindredEngine →
/// KindredText, KindredLinearAlgebra → the C system modules. The engine library has no networking
/// and no argument parsing; docs/architecture.md draws the targets and the data flow.
let package = Package(
    name: "Kindred",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "KindredEngine", targets: ["KindredEngine"]),
        .executable(name: "kindred", targets: ["kindred"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        // Already in the build through Hummingbird; named for NIOThreadPool (blocking database calls).
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        // Without swift-configuration (Hummingbird's ConfigurationSupport trait): Kindred reads its own
        // options, and the package costs cold-build time for nothing.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS", path: "Sources/CBLAS",
            providers: [.apt(["libblas-dev"])]),
        .systemLibrary(
            name: "CLAPACKE", path: "Sources/CLAPACKE",
            providers: [.apt(["liblapacke-dev"])]),
        .systemLibrary(
            name: "CDNNL", path: "Sources/CDNNL",
            providers: [.apt(["libdnnl-dev"])]),
        .systemLibrary(
            name: "CStemmer", path: "Sources/CStemmer",
            providers: [.apt(["libstemmer-dev"])]),
        .systemLibrary(
            name: "CXXHash", path: "Sources/CXXHash",
            providers: [.apt(["libxxhash-dev"])]),
        .systemLibrary(
            name: "CSQLite", path: "Sources/CSQLite",
            providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(
            name: "CLibPQ", path: "Sources/CLibPQ",
            providers: [.apt(["libpq-dev"])]),
        .systemLibrary(
            name: "CMariaDB", path: "Sources/CMariaDB",
            providers: [.apt(["libmariadb-dev"])]),
        // libxml2's HTML parser (Debian's libxml2-dev), wrapped in C so that its headers, which
        // include the system's ICU, never meet Foundation's ICU in a Swift module.
        .target(
            name: "CKindredHTML",
            cSettings: [.unsafeFlags(["-I/usr/include/libxml2"])],
            linkerSettings: [.linkedLibrary("xml2")]),
        // The few loops that need wider vector instructions than Swift's x86-64 baseline (picked
        // per CPU at start-up), and Linux flags Swift's Glibc module leaves out.
        .target(name: "CKindredKernels"),
        .target(
            name: "KindredLinearAlgebra",
            dependencies: ["CBLAS", "CLAPACKE", "CDNNL", "CKindredKernels"]),
        // The sentence encoder of the semantic channel: BERT's tokenizer and forward pass on the
        // BLAS, reading the files a Hugging Face model ships (docs/semantic.md).
        .target(
            name: "KindredEncoder",
            dependencies: ["KindredLinearAlgebra", "CKindredKernels", "CXXHash"]),
        .target(
            name: "KindredText",
            dependencies: ["CStemmer", "CKindredHTML"]),
        .target(
            name: "KindredEngine",
            dependencies: [
                "KindredText", "KindredLinearAlgebra", "KindredEncoder", "CKindredKernels", "CXXHash",
                .product(name: "HeapModule", package: "swift-collections"),
            ]),
        // What the server and the CLI say to callers: request and response types, the ranking
        // controls' names, help and parsing, and how each boundary words the engine's errors.
        .target(name: "KindredAPI", dependencies: ["KindredEngine", "KindredText"]),
        // Databases as article sources (`kindred reindex --source`, `serve --sync-query`), through
        // Debian's client libraries: no Swift package to build, and the libraries the servers ship.
        .target(name: "KindredSources", dependencies: ["KindredEngine", "CSQLite", "CLibPQ", "CMariaDB"]),
        .target(
            name: "KindredServer",
            dependencies: [
                "KindredAPI", "KindredEncoder", "KindredEngine", "KindredText", "KindredLinearAlgebra",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources/openapi.json"), .copy("Resources/console")]),
        .executableTarget(
            name: "kindred",
            dependencies: [
                "KindredAPI", "KindredEncoder", "KindredEngine", "KindredText", "KindredLinearAlgebra", "KindredServer",
                "KindredSources", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // Fuzz targets: libFuzzer binaries under scripts/fuzz.sh, input replayers otherwise (CI
        // replays Tests/Fuzz/Corpus and every past finding in Tests/Fuzz/Regressions).
        .target(name: "FuzzSupport", dependencies: ["KindredEngine"], path: "Tests/Fuzz/FuzzSupport"),
        .executableTarget(
            name: "fuzz-corpus-reader", dependencies: ["FuzzSupport", "KindredEngine"], path: "Tests/Fuzz/CorpusReader"),
        .executableTarget(
            name: "fuzz-analyzer", dependencies: ["FuzzSupport", "KindredText"], path: "Tests/Fuzz/Analyzer"),
        .executableTarget(
            name: "fuzz-query",
            dependencies: ["FuzzSupport", "KindredAPI", .product(name: "HummingbirdCore", package: "hummingbird")],
            path: "Tests/Fuzz/Query"),
        .executableTarget(
            name: "fuzz-draft", dependencies: ["FuzzSupport", "KindredAPI", "KindredEngine"], path: "Tests/Fuzz/Draft"),
        .executableTarget(
            name: "fuzz-model-file", dependencies: ["FuzzSupport", "KindredEngine"], path: "Tests/Fuzz/ModelFile"),
        .testTarget(name: "KindredLinearAlgebraTests", dependencies: ["KindredLinearAlgebra", "CKindredKernels"]),
        .testTarget(name: "KindredTextTests", dependencies: ["KindredText"]),
        .testTarget(
            name: "KindredEncoderTests", dependencies: ["KindredEncoder", "CKindredKernels"], exclude: ["Fixtures"]),
        .testTarget(name: "KindredEngineTests", dependencies: ["KindredEngine", "KindredEncoder"]),
        .testTarget(name: "KindredAPITests", dependencies: ["KindredAPI", "KindredEngine"]),
        // Loads test databases on the servers scripts/databases.sh starts, with the client libraries.
        .target(
            name: "DatabaseTestSupport", dependencies: ["KindredEngine", "CLibPQ", "CMariaDB"],
            path: "Tests/DatabaseTestSupport"),
        .testTarget(
            name: "KindredSourcesTests",
            dependencies: ["KindredSources", "KindredEngine", "KindredServer", "CSQLite", "DatabaseTestSupport"]),
        .testTarget(
            name: "KindredServerTests",
            dependencies: [
                "KindredServer", "KindredAPI", "KindredEncoder", "KindredEngine", "DatabaseTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]),
        .testTarget(name: "KindredCLITests", dependencies: ["KindredEngine", "kindred", "DatabaseTestSupport"]),
    ]
)

// `swift package benchmark`: the engine's stages, timed (Benchmarks/KindredBenchmarks). Left out of
// fuzzing builds (scripts/fuzz.sh sets KINDRED_FUZZING): -sanitize=fuzzer would also link the
// benchmark plugin's code generator against libFuzzer's main.
if ProcessInfo.processInfo.environment["KINDRED_FUZZING"] == nil {
    package.dependencies.append(
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]))
    package.targets.append(
        .executableTarget(
            name: "KindredBenchmarks",
            dependencies: [
                "KindredEngine", "KindredLinearAlgebra", .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/KindredBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]))
}
