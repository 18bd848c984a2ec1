import Foundation
import KindredAPI
import KindredEngine
import Testing

@Suite("Ranking controls: names, text form and the errors each boundary words")
struct RankingParametersTests {
    let now = RFC3339.parse("2026-03-10T00:00:00Z")!

    func query(_ values: [String: String], defaultK: Int = 10) throws -> RelatedQuery {
        try RankingParameters(text: values).query(defaultK: defaultK, maximumK: 100)
    }

    @Test("the text form parses every control")
    func parsing() throws {
        let query = try query([
            "k": "7", "exclude": "a, b,", "section": "science", "language": "any", "since": "2026-01-01T00:00:00Z",
            "max_age": "2w", "reference_time": "2026-03-10T00:00:00Z", "min_score": "0.2", "fallback": "section",
            "half_life": "7", "freshness": "0.3", "diversity": "0.7", "dedupe": "off", "linked": "flag",
            "explain": "true",
        ])
        #expect(query.k == 7)
        #expect(query.excludedIDs == ["a", "b"])
        #expect(query.section == "science")
        #expect(query.language == .any)
        #expect(query.since == RFC3339.parse("2026-01-01T00:00:00Z"))
        #expect(query.maximumAge == TimeInterval(14 * 86_400))
        #expect(query.referenceTime == now)
        #expect(query.minimumScore == 0.2)
        #expect(query.fallback == .section)
        #expect(query.freshness == Freshness(halfLifeDays: 7, weight: 0.3))
        #expect(query.diversity == 0.7)
        #expect(query.duplicateThreshold == nil)
        #expect(query.linkedArticles == .flag)
        #expect(query.explain)
        let defaults = try self.query([:], defaultK: 4)
        #expect(defaults == RelatedQuery(k: 4))
        #expect(defaults.duplicateThreshold == RelatedQuery.defaultDuplicateThreshold)
        #expect(defaults.minimumScore == RelatedQuery.defaultMinimumScore)
    }

    @Test(
        "values that don't parse are refused naming the parameter as each boundary spells it",
        arguments: [
            ("k", "ten"), ("since", "yesterday"), ("max_age", "-3d"), ("max_age", "soon"), ("fallback", "latest"),
            ("dedupe", "high"), ("linked", "keep"), ("explain", "yes"), ("min_score", "high"),
        ])
    func unreadable(name: String, value: String) throws {
        let parameter = try #require(RankingParameter(rawValue: name))
        let error = #expect(throws: RankingParameters.UnreadableValue.self) { _ = try query([name: value]) }
        #expect(error?.parameter == parameter)
        #expect(error?.message(.queryParameter).hasPrefix("\(name) '\(value)' is not valid: ") == true)
        #expect(error?.message(.flag).hasPrefix("\(parameter.flag) '\(value)' is not valid: ") == true)
    }

    @Test(
        "values out of range carry the parameter, the value and the range",
        arguments: [
            ("k", "0", EngineParameter.k), ("k", "101", .k), ("min_score", "2", .minimumScore),
            ("half_life", "0", .halfLife),
            ("diversity", "1.5", .diversity), ("dedupe", "0", .duplicateThreshold), ("language", "english!", .language),
        ])
    func outOfRange(name: String, value: String, parameter: EngineParameter) throws {
        let error = #expect(throws: EngineError.self) { _ = try query([name: value]) }
        #expect(error?.code == .invalidParameter)
        #expect(error?.invalidValue?.parameter == parameter)
        #expect(error?.invalidValue?.allowed.isEmpty == false)
        let control = try #require(RankingParameter(rawValue: name))
        let worded = try #require(error.map(ParameterSpelling.queryParameter.message))
        #expect(worded.hasPrefix("\(name) must be "))
        #expect(try #require(error.map(ParameterSpelling.flag.message)).hasPrefix("\(control.flag) must be "))
    }

    @Test("semantic_weight reads as a number, defaults to the engine's, and is checked in each spelling")
    func semanticWeight() throws {
        #expect(try query([:]).semanticWeight == RelatedQuery.defaultSemanticWeight)
        #expect(try query(["semantic_weight": "0"]).semanticWeight == 0)
        #expect(try query(["semantic_weight": "0.7"]).semanticWeight == 0.7)
        #expect(throws: RankingParameters.UnreadableValue.self) { try query(["semantic_weight": "high"]) }
        do {
            _ = try query(["semantic_weight": "1.5"])
            Issue.record("1.5 was accepted")
        } catch let error as EngineError {
            #expect(
                ParameterSpelling.queryParameter.message(error) == "semantic_weight must be between 0 and 1; got 1.5")
            #expect(ParameterSpelling.flag.message(error) == "--semantic-weight must be between 0 and 1; got 1.5")
        }
    }

    @Test("k is checked against the caller's maximum")
    func maximumK() {
        let error = #expect(throws: EngineError.self) {
            _ = try RankingParameters(text: ["k": "101"]).query(maximumK: 100)
        }
        #expect(error.map(ParameterSpelling.queryParameter.message) == "k must be between 1 and 100; got 101")
    }

    @Test("freshness without a half-life names both, in each spelling")
    func freshnessNeedsHalfLife() {
        let error = #expect(throws: EngineError.self) { _ = try query(["freshness": "0.5"]) }
        #expect(error.map(ParameterSpelling.queryParameter.message)?.hasPrefix("freshness needs half_life") == true)
        #expect(error.map(ParameterSpelling.flag.message)?.hasPrefix("--freshness needs --half-life") == true)
    }

    @Test("build errors name the CLI's flags")
    func buildFlags() {
        var parameters = ModelParameters()
        parameters.minimumDocumentFrequency = 0
        let error = #expect(throws: EngineError.self) { try parameters.validate() }
        #expect(error.map(ParameterSpelling.flag.message) == "--min-df must be at least 1; got 0")
    }

    @Test("ages take minutes, hours, days, weeks or a bare number of days")
    func ages() {
        #expect(RankingParameters.parseAge("90m") == 5_400)
        #expect(RankingParameters.parseAge("36h") == 129_600)
        #expect(RankingParameters.parseAge("2") == 172_800)
        #expect(RankingParameters.parseAge("1.5d") == 129_600)
        #expect(RankingParameters.parseAge("1w") == 604_800)
        #expect(RankingParameters.parseAge("0") == nil)
        #expect(RankingParameters.parseAge("d") == nil)
    }

    @Test("every control has a query name, a flag and help, all distinct")
    func names() {
        let all = RankingParameter.allCases
        #expect(Set(all.map(\.queryName)).count == all.count)
        #expect(Set(all.map(\.flag)).count == all.count)
        #expect(all.allSatisfy { !$0.help.isEmpty })
    }
}
