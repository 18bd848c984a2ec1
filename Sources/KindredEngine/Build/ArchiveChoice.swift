import Foundation
import KindredText

/// Build parameters `reindex` may choose from what it measures of the archive, when the user did
/// not set them.
public struct AutomaticParameters: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Word bigrams on or off.
    public static let phrases = AutomaticParameters(rawValue: 1 << 0)
    /// TF-IDF or log-entropy.
    public static let weighting = AutomaticParameters(rawValue: 1 << 1)
    public static let all: AutomaticParameters = [.phrases, .weighting]
}

/// The analysis defaults chosen for an archive by its language mix, recorded in the manifest.
///
/// A measured choice, not a derived one (docs/quality.md, "Analysis chosen by the archive"): on
/// SemEval-2022 Task 8's rated news pairs in seven languages, single words and log-entropy
/// weights (Dumais 1991) beat word bigrams and TF-IDF on every random half of the pairs, English
/// pairs included; on the single-language sets (manual pages, Debian's packages, the sample)
/// bigrams and TF-IDF win. The language mix is what tells those archives apart among the sets
/// Kindred is measured on; a larger multilingual set could show a better criterion.
public struct ArchiveChoice: Codable, Equatable, Sendable {
    public var languageMix: LanguageMix
    /// The choices made; nil for a parameter the user set.
    public var phrases: Bool?
    public var weighting: WeightingScheme?

    public init(languageMix: LanguageMix, choosing automatic: AutomaticParameters) {
        self.languageMix = languageMix
        let multilingual = languageMix.isMultilingual
        phrases = automatic.contains(.phrases) ? !multilingual : nil
        weighting = automatic.contains(.weighting) ? (multilingual ? .logEntropy : .tfidf) : nil
    }

    /// `parameters` with the choices made.
    public func applied(to parameters: ModelParameters) -> ModelParameters {
        var result = parameters
        if let phrases { result.analyzer.phrases = phrases }
        if let weighting { result.weighting = weighting }
        return result
    }

    /// What `reindex` and `eval` say: the summary when the choice departs from the
    /// single-language defaults, else nothing (the manifest records it either way).
    public var notice: String? { languageMix.isMultilingual ? summary : nil }

    /// One line for `reindex` and `inspect`.
    public var summary: String {
        var chosen: [String] = []
        if let phrases { chosen.append(phrases ? "word bigrams" : "no word bigrams") }
        if let weighting { chosen.append("\(weighting.rawValue) weighting") }
        let kind = languageMix.isMultilingual ? "a multilingual archive" : "a single-language archive"
        let what = chosen.isEmpty ? "nothing chosen (all set by the build options)" : chosen.joined(separator: ", ")
        return "analysis for \(kind) (\(languageMix.summary)): \(what)"
    }
}
