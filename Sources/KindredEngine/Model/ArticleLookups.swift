import KindredText

/// The tables a model derives from its articles' metadata: rows by id and by URL, rows by
/// recency, and each row's language as a small code.
struct ArticleLookups: Sendable {
    let rowByID: [String: Int]
    /// Keys are `OutboundLinks.normalizedURL`.
    let rowByURL: [String: Int]
    /// Rows by publication time, newest first, undated ones last: the fallback's order.
    let rowsByRecency: [Int32]
    /// Each row's language as a small code (its primary subtag interned).
    let languageCodes: [Int32]
    let languageCodeBySubtag: [String: Int32]

    /// - Throws: `ModelInvariantError` when an id appears twice.
    init(_ articles: [ArticleMetadata]) throws(ModelInvariantError) {
        var rowByID: [String: Int] = [:]
        rowByID.reserveCapacity(articles.count)
        for (row, article) in articles.enumerated() where rowByID.updateValue(row, forKey: article.id) != nil {
            throw ModelInvariantError("article id '\(article.id)' appears twice")
        }
        self.rowByID = rowByID
        var rowByURL: [String: Int] = [:]
        for (row, article) in articles.enumerated() {
            if let url = article.url, !url.isEmpty { rowByURL[OutboundLinks.normalizedURL(url)] = row }
        }
        self.rowByURL = rowByURL
        var codes: [String: Int32] = [:]
        self.languageCodes = articles.map { article in
            let subtag = Language.primarySubtag(of: article.language) ?? article.language.lowercased()
            if let code = codes[subtag] { return code }
            let code = Int32(codes.count)
            codes[subtag] = code
            return code
        }
        self.languageCodeBySubtag = codes
        self.rowsByRecency = articles.indices.sorted { a, b in
            let first = articles[a].publishedAt ?? .distantPast, second = articles[b].publishedAt ?? .distantPast
            return first != second ? first > second : a < b
        }.map(Int32.init)
    }
}
