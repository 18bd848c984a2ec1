import Testing

@testable import KindredText

@Suite("Analyzer")
struct AnalyzerTests {
    let analyzer = Analyzer()

    @Test("English: lower-cased, possessive and stop words removed, stemmed, phrases added")
    func english() {
        let terms = analyzer.analyze("The red dot on Leica's phones", language: "en")
        #expect(terms == ["red", "dot", "leica", "phone", "red dot", "leica phone"])
    }

    @Test("the cached chain gives what the filters give one after another, on first and later sight, across languages")
    func cacheMatchesChain() {
        let texts: [(String, String?)] = [
            ("The red dot on Leica's phones; the PHONES' red dots", "en"),
            ("L'appareil de Leica et l'Écran des téléphones", "fr"),
            ("Die Straße und die Strasse, Müller und Muller", "de"),
            ("東京大学 and 6,000 photos of the 3.5 mm jack", nil),
            ("The red dot on Leica's phones; the PHONES' red dots", "en-GB"),
        ]
        let cached = Analyzer()
        for _ in 0..<2 {
            for (text, language) in texts {
                let code = language.flatMap(Language.primarySubtag(of:)) ?? Language.defaultCode
                var expected = Tokenizer().tokenize(text)
                var filters: [any TokenFilter] = [LowercaseFilter(), ApostropheFilter(language: code)]
                filters.append(StopFilter(stopWords: StopWords.list(for: code)))
                if let stemmer = SnowballStemmer(language: code) { filters.append(StemFilter(stemmer: stemmer)) }
                filters += [DiacriticFoldingFilter(), CJKBigramFilter(), ShingleFilter()]
                for filter in filters { expected = filter.filter(expected) }
                #expect(cached.tokens(text, language: language) == expected, "\(text) (\(language ?? "none"))")
            }
        }
    }

    @Test("model numbers survive and form phrases")
    func modelNumbers() {
        let terms = analyzer.analyze("Xiaomi 17 Ultra with 200MP", language: "en")
        #expect(terms.contains("17 ultra"))
        #expect(terms.contains("200mp"))
        #expect(terms.contains("xiaomi 17"))
    }

    @Test("phrases never jump over a removed stop word")
    func noPhraseAcrossGap() {
        let terms = analyzer.analyze("dot of leica", language: "en")
        #expect(terms == ["dot", "leica"])
    }

    @Test("phrases can be switched off")
    func phrasesOff() {
        let terms = Analyzer(options: AnalyzerOptions(phrases: false)).analyze("red dot", language: "en")
        #expect(terms == ["red", "dot"])
    }

    /// Expected stems are libstemmer 2.2's output: they pin which algorithm ran for each language.
    @Test(
        "stemming follows the article's language",
        arguments: [
            ("en", "running phones", ["run", "phone"]),
            ("de", "Häuser Kameras", ["haus", "kameras"]),
            ("fr", "les appareils photographiques", ["appareil", "photograph"]),
            ("es", "las cámaras digitales", ["cam", "digital"]),
            ("it", "le fotocamere digitali", ["fotocam", "digital"]),
            ("pt", "as câmeras digitais", ["cam", "digit"]),
            ("nl", "de camera's werken", ["cameras", "werk"]),
        ])
    func stemming(language: String, text: String, expected: [String]) {
        let terms = Analyzer(options: AnalyzerOptions(phrases: false)).analyze(text, language: language)
        #expect(terms == expected)
    }

    @Test("French elisions and Italian articles are removed")
    func elisions() {
        let analyzer = Analyzer(options: AnalyzerOptions(phrases: false, stemming: false))
        #expect(analyzer.analyze("l'appareil d'Apple", language: "fr") == ["appareil", "apple"])
        #expect(analyzer.analyze("dell'anno", language: "it") == ["anno"])
    }

    @Test("an unknown language is analysed without stemming, not rejected")
    func unknownLanguage() {
        let terms = Analyzer(options: AnalyzerOptions(phrases: false)).analyze("running phones", language: "xx")
        #expect(terms == ["running", "phones"])
    }

    @Test("a malformed language tag falls back to English")
    func malformedTag() {
        #expect(analyzer.analyze("running", language: "not a tag!") == ["run"])
    }

    @Test("regional tags use their primary language")
    func regionalTag() {
        #expect(analyzer.analyze("running", language: "en-GB") == ["run"])
        #expect(Language.primarySubtag(of: "pt_BR") == "pt")
        #expect(Language.primarySubtag(of: "e") == nil)
    }

    @Test("diacritics fold after stemming, so accented and plain spellings meet")
    func diacritics() {
        let plain = Analyzer(options: AnalyzerOptions(phrases: false))
        #expect(plain.analyze("Müller", language: "de") == plain.analyze("Muller", language: "de"))
        #expect(plain.analyze("Straße", language: "de") == ["strass"])
        #expect(plain.analyze("café", language: "en") == ["cafe"])
    }

    @Test("CJK text becomes character bigrams")
    func cjkBigrams() {
        #expect(analyzer.analyze("东京大学", language: "zh") == ["东京", "京大", "大学"])
        #expect(analyzer.analyze("米", language: "zh") == ["米"])
    }

    @Test("empty and punctuation-only text give no terms")
    func empty() {
        #expect(analyzer.analyze("", language: "en").isEmpty)
        #expect(analyzer.analyze(" ... !!! ", language: "en").isEmpty)
        #expect(analyzer.analyze("the of and", language: "en").isEmpty)
    }
}

@Suite("Snowball stemmer")
struct SnowballStemmerTests {
    @Test("exists for the required languages", arguments: ["en", "de", "fr", "es", "it", "pt", "nl"])
    func available(language: String) {
        #expect(SnowballStemmer(language: language) != nil)
        #expect(!StopWords.list(for: language).isEmpty)
    }

    @Test("is nil for a language libstemmer does not know")
    func unknown() {
        #expect(SnowballStemmer(language: "xx") == nil)
        #expect(SnowballStemmer(language: "") == nil)
    }

    @Test("stems English words")
    func english() throws {
        let stemmer = try #require(SnowballStemmer(language: "en"))
        #expect(stemmer.stem("connections") == "connect")
        #expect(stemmer.stem("trackers") == "tracker")
    }
}
