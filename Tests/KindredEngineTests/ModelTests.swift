import Foundation
import Testing

@testable import KindredEngine
@testable import KindredLinearAlgebra

@Suite("Model building and queries")
struct ModelTests {
    let model = Sample.model

    @Test("invariants hold after a build: unit norms, finite values, id ↔ row")
    func invariants() throws {
        try model.checkInvariants()
        for (row, article) in model.articles.enumerated() {
            #expect(model.row(of: article.id) == row)
            let norm = Vector.norm(model.index.vectors.row(row))
            #expect(abs(norm - 1) < 1e-3)
        }
        #expect(model.manifest.articles == Sample.articles.count)
    }

    @Test("default dimensions are lowered to fit a small corpus, with a notice")
    func dimensionsLowered() throws {
        let outcome = try ModelBuilder().build(Sample.articles)
        #expect(outcome.model.dimensions == Sample.articles.count - 1)
        #expect(outcome.notices.contains { $0.contains("dimensions 256 must be below the number of articles") })
    }

    @Test("explicit dimensions that don't fit are an error telling what to do")
    func dimensionsExplicit() {
        var parameters = ModelParameters()
        parameters.dimensions = 300
        let error = #expect(throws: EngineError.self) {
            try ModelBuilder(parameters: parameters, lowerDimensionsToFit: false).build(Sample.articles)
        }
        #expect(error?.message(naming: { "--" + $0.rawValue }).contains("lower --dimensions or add articles") == true)
    }

    @Test(
        "invalid parameters are refused with the value seen",
        arguments: [
            ModelParameters(titleWeight: -1), ModelParameters(minimumDocumentFrequency: 0),
            ModelParameters(maximumDocumentFrequency: 1.5), ModelParameters(dimensions: 0),
            ModelParameters(powerIterations: 99), ModelParameters(maximumTerms: 0),
        ])
    func invalidParameters(parameters: ModelParameters) {
        #expect(throws: EngineError.self) { try ModelBuilder(parameters: parameters).build(Sample.articles) }
    }

    @Test("the vocabulary bound keeps the terms in the most articles, ties in text order, and says so")
    func vocabularyBound() throws {
        let unbounded = try ModelBuilder(parameters: ModelParameters(maximumTerms: nil)).build(Sample.articles)
        let all = unbounded.model.weighting.vocabulary
        #expect(!unbounded.notices.contains { $0.contains("vocabulary bound") })
        let limit = all.count / 3
        let bounded = try ModelBuilder(parameters: ModelParameters(maximumTerms: limit)).build(Sample.articles)
        let kept = bounded.model.weighting.vocabulary
        #expect(kept.count == limit)
        #expect(
            bounded.notices.contains { $0.contains("kept the \(limit) terms") && $0.contains("of the \(all.count)") })
        // The same choice worked out by hand from the unbounded vocabulary's frequencies.
        let expected = all.terms.indices.sorted {
            all.documentFrequencies[$0] != all.documentFrequencies[$1]
                ? all.documentFrequencies[$0] > all.documentFrequencies[$1] : all.terms[$0] < all.terms[$1]
        }.prefix(limit).map { all.terms[$0] }.sorted()
        #expect(kept.terms == expected)
        #expect(bounded.model.manifest.parameters.maximumTerms == limit)
        try bounded.model.checkInvariants()
    }

    @Test("the most frequent terms: every slot under the limit, the cut's ties by text")
    func mostFrequent() {
        let terms = ["d", "c", "b", "a", "e"], df: [Int32] = [5, 3, 3, 3, 1]
        #expect(
            Set(ModelBuilder.mostFrequent(Array(0..<5), documentFrequencies: df, terms: terms, limit: 3)) == [0, 3, 2])
        #expect(ModelBuilder.mostFrequent(Array(0..<5), documentFrequencies: df, terms: terms, limit: nil).count == 5)
        #expect(ModelBuilder.mostFrequent(Array(0..<5), documentFrequencies: df, terms: terms, limit: 9).count == 5)
        #expect(ModelBuilder.mostFrequent(Array(0..<5), documentFrequencies: df, terms: terms, limit: 1) == [0])
        #expect(Set(ModelBuilder.mostFrequent([1, 4], documentFrequencies: df, terms: terms, limit: 1)) == [1])
    }

    @Test("a corpus too small, or with no term left after pruning, is an error")
    func tooSmall() {
        let two = Array(Sample.articles.prefix(2))
        #expect(throws: EngineError.self) { try ModelBuilder().build(two) }
        let unrelated = ["alpha beta", "gamma delta", "epsilon zeta"].enumerated().map {
            Article(id: "\($0.offset)", title: $0.element)
        }
        let error = #expect(throws: EngineError.self) { try ModelBuilder().build(unrelated) }
        #expect(error?.code == .emptyVocabulary)
    }

    /// Regression: corpora smaller than the analysis chunk count once indexed past the end.
    @Test("small corpora of any size build", arguments: [3, 4, 5, 7, 9, 11, 13, 17])
    func smallCorpora(count: Int) throws {
        let articles = Array(Sample.articles.filter { $0.section == "phones-cameras" }.prefix(count))
        let model = try ModelBuilder().build(articles).model
        #expect(model.articles.map(\.id) == articles.map(\.id))
        #expect(model.dimensions == min(count, model.weighting.vocabulary.count) - 1)
    }

    @Test("an article with no surviving term gets a zero vector and no related list, and is never a result")
    func articleWithoutTerms() throws {
        var articles = Sample.articles
        articles.append(Article(id: "lonely", title: "Zyxwv qwertz"))
        let outcome = try ModelBuilder().build(articles)
        #expect(outcome.model.manifest.articlesWithoutTerms == 1)
        #expect(outcome.notices.contains { $0.contains("1 article(s) kept no term") })
        #expect(try outcome.model.related(to: "lonely", k: 5).isEmpty)
        let all = try outcome.model.related(to: "football-derby-result", k: articles.count)
        #expect(!all.contains { $0.article.id == "lonely" })
    }

    @Test("related excludes the query article and returns best first")
    func related() throws {
        let results = try model.related(to: "xiaomi-17-ultra-launch", k: 10)
        #expect(results.count == 10)
        #expect(!results.contains { $0.article.id == "xiaomi-17-ultra-launch" })
        #expect(zip(results, results.dropFirst()).allSatisfy { $0.score >= $1.score })
    }

    @Test("an unknown id is an error naming it")
    func unknownID() {
        let error = #expect(throws: EngineError.self) { try model.related(to: "no-such-article", k: 3) }
        #expect(error?.code == .unknownArticle)
        #expect(error?.message.contains("'no-such-article'") == true)
    }

    @Test("folding an indexed article's own text in lands next to its stored vector")
    func foldInMatchesStoredVector() throws {
        for article in Sample.articles.prefix(20) {
            let folded = try #require(
                try model.foldIn(
                    title: article.title, body: article.body, tags: article.tags, language: article.language))
            let stored = try #require(model.vector(of: article.id))
            #expect(Vector.dot(folded, stored) > 0.99, "\(article.id): \(Vector.dot(folded, stored))")
        }
    }

    @Test("a draft with no known word has no results; a draft about a topic finds it")
    func similar() throws {
        #expect(try model.similar(body: "zzzz qqqq", k: 5).isEmpty)
        let results = try model.similar(
            title: "Xiaomi tracker", body: "A tag that works with Apple Find My and Google Find Hub", k: 3)
        #expect(results.first?.article.id == "xiaomi-tag-find-my")
    }

    @Test("all-articles neighbours equal one query per article")
    func neighborsMatchSingleQueries() throws {
        var checked = 0
        try model.neighbors(k: 4) { article, neighbors in
            let single = try model.related(to: article.id, k: 4)
            #expect(neighbors.map(\.article.id) == single.map(\.article.id))
            #expect(zip(neighbors, single).allSatisfy { abs($0.score - $1.score) < 1e-4 })
            checked += 1
        }
        #expect(checked == model.articles.count)
    }

    @Test("k larger than the corpus returns every other article")
    func largeK() throws {
        #expect(try model.related(to: "xiaomi-tag-find-my", k: 1000).count == model.articles.count - 1)
    }

    @Test("a model with a non-finite vector value is refused")
    func nonFiniteRefused() throws {
        var vectors = model.index.vectors
        vectors.storage[3] = .nan
        #expect(throws: ModelInvariantError.self) {
            try Model(
                manifest: model.manifest, weighting: model.weighting, termVectors: model.termVectors,
                singularValues: model.singularValues, articleVectors: vectors, tfidfRows: model.tfidfRows,
                headlineRows: model.headlineRows,
                articles: model.articles)
        }
    }

    @Test("the corpus digest changes with any field and not with nothing")
    func digest() {
        let articles = Array(Sample.articles.prefix(5))
        var changed = articles
        changed[2].tags.append("new tag")
        #expect(ModelBuilder.digest(of: articles) == ModelBuilder.digest(of: articles))
        #expect(ModelBuilder.digest(of: articles) != ModelBuilder.digest(of: changed))
    }

    @Test("the re-ranking score stays within −1…1 and an article about another's headline ranks it first")
    func headlineMatch() throws {
        for article in Sample.articles.prefix(10) {
            for result in try model.related(to: article.id, k: 5) {
                #expect(result.score <= 1.0001 && result.score >= -1.0001)
            }
        }
        let results = try model.similar(
            title: "Analysts on a tracker",
            body: "The Xiaomi Tag tracker works with both Apple's Find My and Google's Find Hub.",
            k: 1)
        #expect(results.first?.article.id == "xiaomi-tag-find-my")
    }

    @Test("headline counts hold the title and tags only")
    func headlineCounts() {
        let counter = TermCounter(parameters: ModelParameters())
        let counts = counter.headlineCounts(title: "Red dot phones", tags: ["Leica"], language: "en")
        #expect(counts == ["red": 1, "dot": 1, "phone": 1, "red dot": 1, "dot phone": 1, "leica": 1])
    }
}

@Suite("Build analysis")
struct BuildAnalysisTests {
    @Test(
        "the build's analysis counts every article as TermCounter counts a query, body and headline, at any title weight"
    )
    func matchesTermCounter() {
        for titleWeight: Float in [2, 0] {
            var parameters = ModelParameters()
            parameters.titleWeight = titleWeight
            let builder = ModelBuilder(parameters: parameters)
            let counter = TermCounter(parameters: parameters)
            let chunks = builder.analyse(Sample.articles)
            var row = 0
            for chunk in chunks {
                #expect(chunk.firstRow == row)
                for r in 0..<(chunk.counts.offsets.count - 1) {
                    let article = Sample.articles[row]
                    var counts: [String: Float] = [:], headline: [String: Float] = [:]
                    for p in chunk.counts.offsets[r]..<chunk.counts.offsets[r + 1] {
                        counts[chunk.terms[Int(chunk.counts.ids[p])]] = chunk.counts.frequencies[p]
                    }
                    for p in chunk.headlines.offsets[r]..<chunk.headlines.offsets[r + 1] {
                        headline[chunk.terms[Int(chunk.headlines.ids[p])]] = chunk.headlines.frequencies[p]
                    }
                    #expect(counts == counter.counts(article), "\(article.id), title weight \(titleWeight)")
                    #expect(
                        headline
                            == counter.headlineCounts(
                                title: article.title, tags: article.tags, language: article.language),
                        "\(article.id), title weight \(titleWeight)")
                    row += 1
                }
            }
            #expect(row == Sample.articles.count)
        }
    }

    @Test("explanations show the words readers wrote, not stems: each term's most frequent surface form")
    func surfaceForms() throws {
        let vocabulary = Sample.model.weighting.vocabulary
        func form(_ term: String) throws -> String {
            vocabulary.surfaceForm(Int(try #require(vocabulary.id(of: term))))
        }
        #expect(try form("smartphon") == "smartphones")
        #expect(try form("batteri") == "battery")
        #expect(try form("xiaomi") == "xiaomi")
        // A phrase takes each word's form.
        let phrase = try #require(vocabulary.terms.first { $0.contains(" ") && $0.contains("batteri") })
        #expect(try form(phrase).contains("battery"))
        let list = try LiveIndex(model: Sample.model, version: "test").related(
            to: "leica-red-dot-leitzphone", query: RelatedQuery(k: 10, explain: true))
        let shown = list.results.flatMap {
            ($0.explanation?.sharedTerms.map(\.term) ?? []) + ($0.explanation?.dimensions.flatMap(\.terms) ?? [])
        }
        #expect(!shown.isEmpty)
        #expect(
            shown.allSatisfy { term in
                term.split(separator: " ").allSatisfy { !["smartphon", "batteri", "googl"].contains(String($0)) }
            })
        // The forms survive the model file.
        #expect(
            try ModelFile.decode(ModelFile.encode(Sample.model), file: "x").weighting.vocabulary.surfaceForms
                == vocabulary.surfaceForms)
    }
}
