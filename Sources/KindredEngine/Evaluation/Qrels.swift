import Foundation

/// Relevance judgements: for each query article, the ids a good ranking should return.
///
/// JSON Lines, one query per line: `{"id": "...", "relevant": ["...", ...]}`.
public enum Qrels {
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
                  let id = object["id"] as? String, let relevant = object["relevant"] as? [String] else {
                throw CorpusError(
                    path: "\(path):\(index + 1)", reason: "expected {\"id\": \"...\", \"relevant\": [\"...\"]}")
            }
            judgements[id, default: []].formUnion(relevant)
        }
        return judgements
    }
}
