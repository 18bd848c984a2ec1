import KindredEngine

/// How many related articles a query may ask for (`k`): the one place its default and bounds live,
/// for the server, the command line and their checks.
public enum ResultCount {
    /// Results returned when a query gives no `k`.
    public static let defaultK = 10
    /// The most a request to the server may ask for (`ServerConfiguration.maximumK`): a page's
    /// related block, with room to filter on the caller's side.
    public static let serverMaximum = 100
    /// The most a command-line query returns: enough to list an archive's neighbourhood for a
    /// script, bounded so a mistyped `-k` can't ask for every article.
    public static let commandLineMaximum = 10_000

    /// `k` itself when it lies in `1...maximum`.
    ///
    /// - Throws: `EngineError` naming `k`, its value and the range.
    public static func checked(_ k: Int, maximum: Int) throws -> Int {
        guard (1...maximum).contains(k) else { throw EngineError.invalid(.k, k, allowed: "between 1 and \(maximum)") }
        return k
    }
}
