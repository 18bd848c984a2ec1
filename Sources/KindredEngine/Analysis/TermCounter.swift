import KindredText

/// Field-weighted term counts of an article or a draft: title and tag terms count
/// `titleWeight` times, body terms once.
///
/// Not thread-safe (it owns an `Analyzer`): one per thread.
public final class TermCounter {
    public let analyzer: Analyzer
    public let titleWeight: Float

    public init(parameters: ModelParameters) {
        self.analyzer = Analyzer(options: parameters.analyzer)
        self.titleWeight = parameters.titleWeight
    }

    /// `tf(t)` for every term of the text.
    public func counts(title: String, body: String, tags: [String] = [], language: String?) -> [String: Float] {
        var counts: [String: Float] = [:]
        if titleWeight > 0 {
            for term in analyzer.analyze(title, language: language) { counts[term, default: 0] += titleWeight }
            for tag in tags {
                for term in analyzer.analyze(tag, language: language) { counts[term, default: 0] += titleWeight }
            }
        }
        for term in analyzer.analyze(body, language: language) { counts[term, default: 0] += 1 }
        return counts
    }

    /// The counts of the headline alone (title and tags, each term once per occurrence): what
    /// the article is about, compared with other articles' full text.
    public func headlineCounts(title: String, tags: [String] = [], language: String?) -> [String: Float] {
        var counts: [String: Float] = [:]
        for term in analyzer.analyze(title, language: language) { counts[term, default: 0] += 1 }
        for tag in tags {
            for term in analyzer.analyze(tag, language: language) { counts[term, default: 0] += 1 }
        }
        return counts
    }

    public func counts(_ article: Article) -> [String: Float] {
        counts(title: article.title, body: article.body, tags: article.tags, language: article.language)
    }
}
