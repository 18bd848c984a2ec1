import Foundation

/// Pairs of articles with a similarity rated by people: `id1 <TAB> id2 <TAB> rating` per line, as
/// in SemEval-2022 Task 8's news pairs (rating 0, very dissimilar, to 3, very similar). Blank
/// lines are skipped; a header line whose rating is not a number is skipped too.
public struct RatedPair: Sendable, Equatable {
    public var first: String
    public var second: String
    public var rating: Double

    public init(first: String, second: String, rating: Double) {
        self.first = first
        self.second = second
        self.rating = rating
    }

    /// Reads a pairs file.
    ///
    /// - Throws: `CorpusError` naming the file and line of the first line that is not three
    ///   tab-separated fields with a finite rating (a first line whose rating is not a number is
    ///   taken for a header).
    public static func read(path: String) throws -> [RatedPair] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CorpusError(path: path, reason: "can't read the pairs: \(error.localizedDescription)")
        }
        var pairs: [RatedPair] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { continue }
            let fields = trimmed.split(separator: "\t", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard fields.count == 3, !fields[0].isEmpty, !fields[1].isEmpty else {
                throw CorpusError(path: "\(path):\(index + 1)", reason: "expected 'id1<TAB>id2<TAB>rating'")
            }
            guard let rating = Double(fields[2]), rating.isFinite else {
                if index == 0 && pairs.isEmpty { continue }  // a header
                throw CorpusError(path: "\(path):\(index + 1)", reason: "the rating '\(fields[2])' is not a number")
            }
            pairs.append(RatedPair(first: fields[0], second: fields[1], rating: rating))
        }
        return pairs
    }
}

/// How well a system's similarities follow people's ratings of the same pairs: Pearson's r
/// (linear) and Spearman's ρ (Pearson's r of the ranks, ties given their mean rank), over all
/// pairs and per language. The metric of SemEval-2022 Task 8 (Chen et al., 2022).
public struct PairCorrelation: Sendable, Codable, Equatable {
    /// One group of pairs: all of them, or one language's.
    public struct Group: Sendable, Codable, Equatable {
        public var language: String
        public var pairs: Int
        /// Pairs the system gave no score (an id not in the model, or an article without
        /// indexed terms): scored 0, as the task counts them.
        public var unscored: Int
        /// nil when either side has no variance (fewer than two pairs, or all equal).
        public var pearson: Double?
        public var spearman: Double?
    }

    public var overall: Group
    /// Languages in order of their number of pairs, most first.
    public var languages: [Group]

    /// Correlates `score(pair)` with the pairs' ratings; a nil score counts 0. `language(pair)`
    /// groups the pairs (nil: "und").
    public init(pairs: [RatedPair], language: (RatedPair) -> String?, score: (RatedPair) throws -> Float?) rethrows {
        var rows: [(language: String, rating: Double, score: Double, scored: Bool)] = []
        for pair in pairs {
            let score = try score(pair)
            rows.append((language(pair) ?? "und", pair.rating, Double(score ?? 0), score != nil))
        }
        func group(_ name: String, _ members: [(language: String, rating: Double, score: Double, scored: Bool)])
            -> Group
        {
            let ratings = members.map(\.rating), scores = members.map(\.score)
            return Group(
                language: name, pairs: members.count, unscored: members.filter { !$0.scored }.count,
                pearson: Self.pearson(ratings, scores), spearman: Self.spearman(ratings, scores))
        }
        overall = group("all", rows)
        let byLanguage = Dictionary(grouping: rows, by: \.language)
        languages = byLanguage.keys
            .sorted { (byLanguage[$0]!.count, $1) > (byLanguage[$1]!.count, $0) }
            .map { group($0, byLanguage[$0]!) }
    }

    /// Pearson's r of two equally long samples; nil when either has no variance.
    public static func pearson(_ x: [Double], _ y: [Double]) -> Double? {
        precondition(x.count == y.count, "samples of \(x.count) and \(y.count)")
        guard x.count >= 2 else { return nil }
        let n = Double(x.count)
        let meanX = x.reduce(0, +) / n, meanY = y.reduce(0, +) / n
        var covariance = 0.0, varianceX = 0.0, varianceY = 0.0
        for (a, b) in zip(x, y) {
            covariance += (a - meanX) * (b - meanY)
            varianceX += (a - meanX) * (a - meanX)
            varianceY += (b - meanY) * (b - meanY)
        }
        guard varianceX > 0, varianceY > 0 else { return nil }
        return covariance / (varianceX * varianceY).squareRoot()
    }

    /// Spearman's ρ: Pearson's r of the ranks, tied values sharing their mean rank.
    public static func spearman(_ x: [Double], _ y: [Double]) -> Double? {
        pearson(ranks(x), ranks(y))
    }

    /// Ranks from 1, ties given the mean of the ranks they span.
    static func ranks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && values[order[end]] == values[order[start]] { end += 1 }
            let mean = Double(start + end + 1) / 2  // ranks start+1 … end
            for position in start..<end { ranks[order[position]] = mean }
            start = end
        }
        return ranks
    }
}
