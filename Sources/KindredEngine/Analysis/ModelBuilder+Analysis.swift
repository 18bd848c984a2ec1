import Foundation
import KindredLinearAlgebra
import KindredText

extension ModelBuilder {
    /// Analyses all articles on all cores, each thread with its own `Analyzer`.
    ///
    /// Each term occurrence is hashed once, into the chunk's local ids; an article's counts
    /// are then kept in arrays indexed by local id (`TermCounter`'s field weights, the same
    /// additions in the same order), not in a dictionary per article.
    func analyse(_ articles: [Article]) -> [AnalysedChunk] {
        var chunks: [AnalysedChunk] = []
        let lock = NSLock()
        let parameters = self.parameters
        Parallel.forEachChunk(of: articles.count) { range in
            let analyzer = Analyzer(options: parameters.analyzer)
            analyzer.recordsSurfaceForms = true
            let titleWeight = parameters.titleWeight
            var chunk = AnalysedChunk()
            chunk.firstRow = range.lowerBound
            var local: [TermKey: Int32] = [:]
            func localID(_ term: String) -> Int {
                let key = TermKey(term)
                if let known = local[key] { return Int(known) }
                let id = chunk.terms.count
                local[key] = Int32(id)
                chunk.terms.append(term)
                chunk.documentFrequencies.append(0)
                chunk.totalCounts.append(0)
                chunk.countLogCounts.append(0)
                chunk.counts.addTerm()
                chunk.headlines.addTerm()
                return id
            }
            for row in range {
                let article = articles[row]
                let start = chunk.counts.ids.count
                for text in CollectionOfOne(article.title) + article.tags {
                    for term in analyzer.analyze(text, language: article.language) {
                        let id = localID(term)
                        chunk.headlines.add(id, 1, row: row)
                        if titleWeight > 0 { chunk.counts.add(id, titleWeight, row: row) }
                    }
                }
                for term in analyzer.analyze(article.body, language: article.language) {
                    chunk.counts.add(localID(term), 1, row: row)
                }
                for p in start..<chunk.counts.ids.count {
                    let id = Int(chunk.counts.ids[p]), tf = chunk.counts.frequencies[p]
                    chunk.documentFrequencies[id] += 1
                    chunk.totalCounts[id] += Double(tf)
                    chunk.countLogCounts[id] += Double(tf) * log(Double(tf))
                }
                chunk.counts.endArticle()
                chunk.headlines.endArticle()
            }
            chunk.counts.finish()
            chunk.headlines.finish()
            chunk.surfaceForms = [SurfaceForm?](repeating: nil, count: chunk.terms.count)
            for (term, form) in analyzer.surfaceForms() {
                if let id = local[TermKey(term)] { chunk.surfaceForms[Int(id)] = form }
            }
            lock.withLock { chunks.append(chunk) }
        }
        chunks.sort { $0.firstRow < $1.firstRow }
        return chunks
    }

}
