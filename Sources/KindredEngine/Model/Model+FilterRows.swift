import Foundation

extension Model {
    /// The fewest rows that hold every article a filter can admit, read from the model's tables:
    /// the section's rows, the language's, or the publication dates' slice of the rows by recency,
    /// whichever is shortest; nil when the filter narrows nothing. The rows are a superset: the
    /// search still asks the whole filter about each one.
    ///
    /// - Parameter languageCode: a code of `languageCode(of:)` (−1: a language no article has).
    func rows(section: String?, languageCode: Int32?, since: Date?, until: Date?) -> ArraySlice<Int32>? {
        var narrowest: ArraySlice<Int32>?
        func consider(_ rows: ArraySlice<Int32>) {
            if rows.count < narrowest?.count ?? articles.count { narrowest = rows }
        }
        if let section { consider(lookups.rowsBySection[section].map { $0[...] } ?? []) }
        if let languageCode {
            // An archive of one language keeps no rows by language: its filter admits them all.
            if languageCode < 0 {
                consider([])
            } else if !lookups.rowsByLanguage.isEmpty {
                consider(lookups.rowsByLanguage[Int(languageCode)][...])
            }
        }
        if since != nil || until != nil { consider(rowsPublished(since: since, until: until)) }
        return narrowest
    }

    /// The slice of `rowsByRecency` (newest first) published within `since…until`, found by
    /// bisection; undated articles sort last and are never in it.
    func rowsPublished(since: Date?, until: Date?) -> ArraySlice<Int32> {
        let recency = rowsByRecency
        // Dates fall along `recency`: the first position at or before `date` (descending order).
        func firstPosition(where isPast: (Date) -> Bool) -> Int {
            var (low, high) = (0, recency.count)
            while low < high {
                let middle = (low + high) / 2
                let date = articles.publishedAt(of: Int(recency[middle]))
                if let date, !isPast(date) { low = middle + 1 } else { high = middle }
            }
            return low
        }
        let first = until.map { until in firstPosition { $0 <= until } } ?? 0
        let end = firstPosition { date in since.map { date < $0 } ?? false }
        return first < end ? recency[first..<end] : []
    }
}
