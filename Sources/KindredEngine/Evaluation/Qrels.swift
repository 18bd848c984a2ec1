import Foundation
import KindredLinearAlgebra

/// Relevance judgements: for each query article, the ids a good ranking should return.
///
/// JSON Lines, one query per line: `{"id": "...", "relevant": ["...", ...]}`; or derived from the
/// corpus itself (same section, editors' links).
public enum Qrels {
    /// Every article judged related to the others of its section (weak, topical labels).
    public static func sameSection(_ articles: [Article]) -> [String: Set<String>] {
        var bySection: [String: Set<String>] = [:]
        for article in articles {
            if let section = article.section { bySection[section, default: []].insert(article.id) }
        }
        return Dictionary(
            uniqueKeysWithValues: articles.compactMap { article in
                article.section.map { (article.id, bySection[$0]!) }
            })
    }

    /// Each article judged related to the articles its editors linked to (by URL or id).
    public static func editorsLinks(_ articles: [Article]) -> [String: Set<String>] {
        var byURL: [String: String] = [:]
        for article in articles { if let url = article.url { byURL[url] = article.id } }
        return Dictionary(
            uniqueKeysWithValues: articles.compactMap { article in
                let targets = Set(article.links.map { byURL[$0] ?? $0 })
                return targets.isEmpty ? nil : (article.id, targets)
            })
    }

    /// `count` of the judged queries, drawn with a fixed seed so runs compare; all when fewer.
    public static func sample(_ judgements: [String: Set<String>], count: Int, seed: UInt64 = 1) -> [String: Set<
        String
    >] {
        guard count < judgements.count else { return judgements }
        var generator = SeededGenerator(seed: seed)
        let chosen = judgements.keys.sorted().shuffled(using: &generator).prefix(count)
        return Dictionary(uniqueKeysWithValues: chosen.map { ($0, judgements[$0]!) })
    }

    /// Reads a qrels file.
    ///
    /// - Throws: `CorpusError` naming the file and line of the first bad line.
    public static func read(path: String) throws -> [String: Set<String>] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CorpusError(path: path, reason: "can't read the qrels: \(error.localizedDescription)")
        }
        var judgements: [String: Set<String>] = [:]
        for (index, line) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            guard !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) else { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                let id = object["id"] as? String, let relevant = object["relevant"] as? [String]
            else {
                throw CorpusError(
                    path: "\(path):\(index + 1)", reason: "expected {\"id\": \"...\", \"relevant\": [\"...\"]}")
            }
            judgements[id, default: []].formUnion(relevant)
        }
        return judgements
    }
}
