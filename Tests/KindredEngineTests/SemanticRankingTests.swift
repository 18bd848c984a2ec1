import Foundation
import KindredEncoder
import KindredLinearAlgebra
import Testing

@testable import KindredEngine

/// Answers that blend the semantic cosine: `(1 − s)·words + s·meaning`, words alone for articles
/// the encoder didn't read, and the encoder's nearest as candidates beside LSA's.
@Suite struct SemanticRankingTests {
    static let extra = [
        Article(
            id: "striker-derby", title: "Striker scores twice in the derby",
            body: "The striker scored twice as the derby ended three goals to one."),
        Article(
            id: "footballer-brace", title: "Footballer nets a brace against local rivals",
            body: "A forward netted two as his club beat their neighbours."),
    ]

    /// The sample corpus and two English football stories that share no indexed word, built with
    /// the encoder, LSA candidates cut to `rerankDepth`.
    static func model(rerankDepth: Int = 100) throws -> Model {
        var builder = ModelBuilder(parameters: ModelParameters(rerankDepth: rerankDepth))
        builder.semantic = SemanticBuild(encoder: try SemanticBuildTests.loaded(), maxTokens: 64)
        return try builder.build(Sample.articles + extra).model
    }

    static let shared: Model? = try? model()

    static func query(_ weight: Float, k: Int = 10) -> RelatedQuery {
        var query = RelatedQuery.unshaped(k: k)
        query.semanticWeight = weight
        return query
    }

    @Test func scoresAreTheBlendOfWordsAndMeaning() throws {
        let model = try #require(Self.shared, "no encoder: run scripts/fetch-encoder.sh")
        let index = LiveIndex(model: model, version: "test")
        let subject = "xiaomi-17-ultra-launch"
        let row = try #require(model.row(of: subject))
        for weight: Float in [0.3, 0.5, 1] {
            let list = try index.related(to: subject, query: Self.query(weight))
            #expect(list.results.count == 10)
            for result in list.results {
                let other = try #require(model.row(of: result.article.id))
                let expected = try #require(model.similarity(row: row, to: other, semanticWeight: weight))
                #expect(abs(result.score - expected) < 1e-4, "\(result.article.id) at s = \(weight)")
            }
        }
    }

    @Test func weightZeroIsTheWordsAnswer() throws {
        let model = try #require(Self.shared, "no encoder: run scripts/fetch-encoder.sh")
        var plain = model
        plain.semantic = nil
        let fused = try LiveIndex(model: model, version: "a").related(
            to: "xiaomi-17-ultra-launch", query: Self.query(0))
        let words = try LiveIndex(model: plain, version: "b").related(
            to: "xiaomi-17-ultra-launch", query: Self.query(0.5))
        #expect(fused.results.map(\.article.id) == words.results.map(\.article.id))
        #expect(fused.results.map(\.score) == words.results.map(\.score))
    }

    @Test func anArticleTheEncoderDidNotReadKeepsItsWordScore() throws {
        let model = try #require(Self.shared, "no encoder: run scripts/fetch-encoder.sh")
        let index = LiveIndex(model: model, version: "test")
        var query = Self.query(1, k: 40)
        query.language = .any
        let list = try index.related(to: "bundesliga-spitzenspiel", query: query)
        let row = try #require(model.row(of: "bundesliga-spitzenspiel"))
        #expect(model.semanticVector(row: row) == nil, "a German article has no semantic vector")
        for result in list.results.prefix(5) {
            let other = try #require(model.row(of: result.article.id))
            #expect(abs(result.score - (model.similarity(row: row, to: other) ?? 0)) < 1e-5)
        }
    }

    @Test func theEncodersNearestEnterWhenLSAsCandidatesMissThem() throws {
        let model = try Self.model(rerankDepth: 3)
        let index = LiveIndex(model: model, version: "test")
        let words = try index.related(to: "striker-derby", query: Self.query(0, k: 3))
        let fused = try index.related(to: "striker-derby", query: Self.query(0.5, k: 3))
        #expect(fused.results.contains { $0.article.id == "footballer-brace" }, "\(fused.results.map(\.article.id))")
        #expect(!words.results.contains { $0.article.id == "footballer-brace" }, "\(words.results.map(\.article.id))")
    }

    @Test func byIDAnswersFromFusedListsAreTheSearchsAnswers() throws {
        let model = try #require(Self.shared, "no encoder: run scripts/fetch-encoder.sh")
        #expect(model.manifest.listsSemanticWeight == RelatedQuery.defaultSemanticWeight)
        var builder = ModelBuilder(parameters: ModelParameters(neighbors: 0))
        builder.semantic = SemanticBuild(encoder: try SemanticBuildTests.loaded(), maxTokens: 64)
        let unlisted = try builder.build(Sample.articles + Self.extra).model
        #expect(unlisted.manifest.listsSemanticWeight == nil)
        let listed = LiveIndex(model: model, version: "lists"), searched = LiveIndex(model: unlisted, version: "search")
        let weight = RelatedQuery.defaultSemanticWeight
        var read = 0
        for id in model.articles.map(\.id) {
            let fromList = try listed.related(to: id, query: Self.query(weight))
            let fromSearch = try searched.related(to: id, query: Self.query(weight))
            #expect(fromList.results.map(\.article.id) == fromSearch.results.map(\.article.id), "\(id)")
            for (a, b) in zip(fromList.results, fromSearch.results) { #expect(abs(a.score - b.score) < 1e-5, "\(id)") }
            #expect(fromSearch.searched)
            if !fromList.searched { read += 1 }
        }
        // Every article's answer at the lists' weight is its list, read as it is.
        #expect(read == model.articles.count)
        // Another weight can't read a fused list: it searches, and fuses at its own weight.
        let other = try listed.related(to: "xiaomi-17-ultra-launch", query: Self.query(0.3))
        #expect(other.searched)
        let otherSearched = try searched.related(to: "xiaomi-17-ultra-launch", query: Self.query(0.3))
        #expect(other.results.map(\.article.id) == otherSearched.results.map(\.article.id))
    }

    @Test func explanationsSplitEachScoreIntoMeaningAndWords() throws {
        let model = try #require(Self.shared, "no encoder: run scripts/fetch-encoder.sh")
        let index = LiveIndex(model: model, version: "test")
        for weight: Float in [0.5, 0.3] {
            var query = Self.query(weight)
            query.explain = true
            let list = try index.related(to: "xiaomi-17-ultra-launch", query: query)
            #expect(list.results.contains { $0.explanation?.meaning != nil })
            for result in list.results {
                let explanation = try #require(result.explanation)
                // An article the encoder didn't read (another language) keeps its words' score.
                guard let meaning = explanation.meaning else {
                    #expect(explanation.semanticWeight == 0 && abs(explanation.words - result.score) < 1e-4)
                    continue
                }
                #expect(explanation.semanticWeight == weight)
                let score = (1 - weight) * explanation.words + weight * meaning
                #expect(abs(score - result.score) < 1e-4, "\(result.article.id) at s = \(weight)")
            }
        }
        // On words alone an explanation has no meaning, and its words are the score.
        var words = Self.query(0)
        words.explain = true
        for result in try index.related(to: "xiaomi-17-ultra-launch", query: words).results {
            let explanation = try #require(result.explanation)
            #expect(explanation.meaning == nil && explanation.semanticWeight == 0)
            #expect(abs(explanation.words - result.score) < 1e-4)
        }
    }
}
