import Foundation

@testable import KindredEngine

/// Paths into the checkout, found from this file's location.
enum Checkout {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let corpus = root.appendingPathComponent("corpus").path
    static let defaultModel = root.appendingPathComponent("models/default").path
    static let fixtures = root.appendingPathComponent("Tests/Fixtures")
}

/// The sample corpus and a model built from it with default parameters, built once per process.
enum Sample {
    static let articles: [Article] = {
        let result = try! CorpusReader().read(path: Checkout.corpus)
        precondition(result.problems.isEmpty, "the sample corpus has problems: \(result.problems)")
        return result.articles
    }()

    static let model: Model = try! ModelBuilder().build(articles).model
}

/// A fresh temporary directory, removed by the caller with `cleanUp`.
func temporaryDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("kindred-test-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func cleanUp(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
}
