/// How a model's searches find their candidates: by scoring every article (exact) or through the
/// approximate index (`ApproximateIndex`), the beam its graph search
/// keeps and how many of its lists a query probes.
///
/// Chosen when a model is loaded (`serve --search`, the query commands' `--search`), since the
/// two need different memory: the exact scan keeps the int8 codes in the product's blocks, the
/// approximate search keeps them in list order. Either can answer any single query exactly
/// (`exact: true` on a search), the approximate one by probing every list.
public struct SearchSettings: Sendable, Equatable {
    public enum Mode: String, Sendable, CaseIterable, Codable {
        /// Approximate from `automaticThreshold` articles up when the index pays (`pays`), exact
        /// otherwise.
        case automatic = "auto"
        case exact
        case approximate
    }

    public var mode: Mode
    /// Lists each query probes; nil for the number the build calibrated (`ApproximateIndex.probes`).
    public var probes: Int?
    /// The beam of the approximate index's graph search; nil for the build's calibrated one
    /// (`ApproximateIndex.beam`).
    public var beam: Int?

    public init(mode: Mode = .automatic, probes: Int? = nil, beam: Int? = nil) {
        self.mode = mode
        self.probes = probes
        self.beam = beam
    }

    /// Models of this many articles or more search approximately by default. Below it a query's
    /// exact int8 scan is fast enough for any request (docs/performance.md, *Scaling*),
    /// and exact answers cost nothing in recall.
    public static let automaticThreshold = 250_000

    /// The most lists, as a fraction of all, that the build's calibrated probes may be for the
    /// automatic mode to search approximately. A probed list is scanned at about two thirds of
    /// the speed per byte of one sequential exact scan, and ranking the lists costs a little
    /// more: probing half the archive would be no faster than scoring all of it, and would lose
    /// recall. On Debian's generated million articles the calibration probes 12.5 % of the
    /// lists, four times faster than an exact scan (docs/performance.md, *The approximate index*).
    public static let automaticProbeFraction = 0.25

    /// Whether a model of `articles` articles searches through `index` (nil: it has none).
    public func usesApproximateIndex(articles: Int, index: ApproximateIndex?) -> Bool {
        guard let index else { return false }
        switch mode {
        case .automatic: return articles >= Self.automaticThreshold && Self.pays(index)
        case .exact: return false
        case .approximate: return true
        }
    }

    /// Whether the index has a graph that reached the calibration target, or calibrated probes
    /// that read at most `automaticProbeFraction` of its lists.
    public static func pays(_ index: ApproximateIndex) -> Bool {
        index.searchesGraph || Double(index.probes.value) <= automaticProbeFraction * Double(index.lists.lists)
    }
}
