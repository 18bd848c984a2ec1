import Foundation
import Testing

@testable import KindredEngine

@Suite("Analysis chosen by the archive")
struct ArchiveChoiceTests {
    @Test("the language mix counts primary subtags; malformed or missing tags count as English")
    func languageMix() {
        let mix = LanguageMix(languageTags: ["en", "en-GB", "de", "de-CH", "de", "fr", "not a tag!"])
        #expect(mix.main == "de")  // de 3, en 3 (en, en-GB, the malformed tag): a tie goes to "de"
        #expect(mix.mainShare == 3.0 / 7.0)
        #expect(mix.languages == 3)
        #expect(mix.articles == 7)
        #expect(mix.isMultilingual)
        #expect(mix.summary == "de 43 % of 7 articles, 3 languages")

        // Three articles in four: single-language; just under: multilingual.
        #expect(!LanguageMix(languageTags: ["en", "en", "en", "fr"]).isMultilingual)
        #expect(
            LanguageMix(languageTags: Array(repeating: "en", count: 74) + Array(repeating: "ar", count: 26))
                .isMultilingual)
        #expect(!LanguageMix(languageTags: Sample.articles.map(\.language)).isMultilingual)
    }

    @Test("a multilingual archive gets single words and log-entropy; options the user set are kept")
    func choice() {
        let mixed = LanguageMix(languageTags: ["en", "de", "tr", "pl"])
        let chosen = ArchiveChoice(languageMix: mixed, choosing: .all)
        #expect(chosen.phrases == false && chosen.weighting == .logEntropy)
        let applied = chosen.applied(to: ModelParameters())
        #expect(!applied.analyzer.phrases && applied.weighting == .logEntropy)
        #expect(applied.analyzer.stemming && applied.dimensions == ModelParameters().dimensions)

        let weightingOnly = ArchiveChoice(languageMix: mixed, choosing: .weighting)
        #expect(weightingOnly.phrases == nil && weightingOnly.weighting == .logEntropy)
        var given = ModelParameters()
        given.analyzer.phrases = true
        #expect(weightingOnly.applied(to: given).analyzer.phrases)

        let single = ArchiveChoice(languageMix: LanguageMix(languageTags: ["en", "en", "en", "de"]), choosing: .all)
        #expect(single.phrases == true && single.weighting == .tfidf)
        #expect(single.applied(to: ModelParameters()) == ModelParameters())
    }

    @Test("a build records the choice in the manifest, says so for a multilingual archive, and builds with it")
    func build() throws {
        let languages = ["en", "de", "fr", "es"]
        let mixed = Sample.articles.enumerated().map { i, article in
            var article = article
            article.language = languages[i % languages.count]
            return article
        }
        var parameters = ModelParameters()
        parameters.neighbors = 0
        let outcome = try ModelBuilder(parameters: parameters, automatic: .all).build(mixed)
        let manifest = outcome.model.manifest
        #expect(manifest.archiveChoice?.languageMix.isMultilingual == true)
        #expect(manifest.parameters.analyzer.phrases == false)
        #expect(manifest.parameters.weighting == .logEntropy)
        #expect(outcome.model.weighting.scheme == .logEntropy)
        #expect(!outcome.model.weighting.vocabulary.terms.contains { $0.contains(" ") }, "no bigram indexed")
        #expect(outcome.notices.contains { $0.hasPrefix("analysis for a multilingual archive") }, "\(outcome.notices)")
        let decoded = try Manifest.decode(manifest.encoded())
        #expect(decoded.archiveChoice == manifest.archiveChoice)

        // The sample itself is English: the defaults stay, the choice is recorded, nothing is said.
        let english = try ModelBuilder(parameters: parameters, automatic: .all).build(Sample.articles)
        #expect(english.model.manifest.parameters.analyzer == parameters.analyzer)
        #expect(english.model.manifest.parameters.weighting == .tfidf)
        #expect(english.model.manifest.archiveChoice?.phrases == true)
        #expect(!english.notices.contains { $0.hasPrefix("analysis") })
        #expect(english.model.weighting.vocabulary.terms.contains { $0.contains(" ") })

        // Without automatic parameters nothing is chosen or recorded.
        let plain = try ModelBuilder(parameters: parameters).build(mixed)
        #expect(plain.model.manifest.archiveChoice == nil)
        #expect(plain.model.manifest.parameters.weighting == .tfidf)
    }
}
