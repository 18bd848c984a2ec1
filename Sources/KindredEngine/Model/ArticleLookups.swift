import KindredText

/// The tables a model derives from its articles' metadata: rows by id and by URL, rows by
/// recency, each row's language as a small code, and the rows of each section and language.
struct ArticleLookups: Sendable {
    let rowByID: [String: Int]
    /// Keys are `OutboundLinks.normalizedURL`.
    let rowByURL: [String: Int]
    /// Rows by publication time, newest first, undated ones last: the fallback's order.
    let rowsByRecency: [Int32]
    /// Each row's language as a small code (its primary subtag interned).
    let languageCodes: [Int32]
    let languageCodeBySubtag: [String: Int32]
    /// Each section's rows, ascending: what a search filtered to a section can return.
    let rowsBySection: [String: [Int32]]
    /// Each language code's rows, ascending; empty for an archive of one language, whose
    /// language filter admits every row.
    let rowsByLanguage: [[Int32]]

    /// - Throws: `ModelInvariantError` when an id appears twice.
    init(_ articles: ArticleTable) throws(ModelInvariantError) {
        var rowByID: [String: Int] = [:]
        rowByID.reserveCapacity(articles.count)
        for row in articles.indices {
            let id = articles.id(of: row)
            if rowByID.updateValue(row, forKey: id) != nil {
                throw ModelInvariantError("article id '\(id)' appears twice")
            }
        }
        self.rowByID = rowByID
        var rowByURL: [String: Int] = [:]
        for row in articles.indices {
            if let url = articles.url(of: row), !url.isEmpty { rowByURL[OutboundLinks.normalizedURL(url)] = row }
        }
        self.rowByURL = rowByURL
        var codes: [String: Int32] = [:]
        self.languageCodes = articles.indices.map { row in
            let language = articles.language(of: row)
            let subtag = Language.primarySubtag(of: language) ?? language.lowercased()
            if let code = codes[subtag] { return code }
            let code = Int32(codes.count)
            codes[subtag] = code
            return code
        }
        self.languageCodeBySubtag = codes
        var rowsByLanguage: [[Int32]] = []
        if codes.count > 1 {
            rowsByLanguage = Array(repeating: [], count: codes.count)
            for (row, code) in languageCodes.enumerated() { rowsByLanguage[Int(code)].append(Int32(row)) }
        }
        self.rowsByLanguage = rowsByLanguage
        var rowsBySection: [String: [Int32]] = [:]
        for row in articles.indices {
            if let section = articles.section(of: row) { rowsBySection[section, default: []].append(Int32(row)) }
        }
        self.rowsBySection = rowsBySection
        let dates = articles.indices.map { articles.publishedAt(of: $0) ?? .distantPast }
        self.rowsByRecency = articles.indices.sorted { a, b in
            dates[a] != dates[b] ? dates[a] > dates[b] : a < b
        }.map(Int32.init)
    }
}
