// swift-tools-version: 6.1
import PackageDescription

/// Kindred: a related-articles engine (LSA on BLAS/LAPACK).
///
/// Dependencies point one way: the `kindred` CLI → KindredEngine → KindredText, KindredLinearAlgebra
/// → the C system modules. The engine library has no networking and no argument parsing.
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
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS", path: "Sources/CBLAS",
            providers: [.apt(["libblas-dev"])]),
        .systemLibrary(
            name: "CLAPACKE", path: "Sources/CLAPACKE",
            providers: [.apt(["liblapacke-dev"])]),
        .systemLibrary(
            name: "CStemmer", path: "Sources/CStemmer",
            providers: [.apt(["libstemmer-dev"])]),
        .target(
            name: "KindredLinearAlgebra",
            dependencies: ["CBLAS", "CLAPACKE"]),
        .target(
            name: "KindredText",
            dependencies: ["CStemmer"]),
        .target(
            name: "KindredEngine",
            dependencies: [
                "KindredText", "KindredLinearAlgebra",
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .executableTarget(
            name: "kindred",
            dependencies: [
                "KindredEngine", "KindredText", "KindredLinearAlgebra",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(name: "KindredLinearAlgebraTests", dependencies: ["KindredLinearAlgebra"]),
        .testTarget(name: "KindredTextTests", dependencies: ["KindredText"]),
        .testTarget(name: "KindredEngineTests", dependencies: ["KindredEngine"]),
        .testTarget(name: "KindredCLITests", dependencies: ["KindredEngine", "kindred"]),
    ]
)
