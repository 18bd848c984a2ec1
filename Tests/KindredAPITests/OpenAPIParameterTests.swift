import Foundation
import KindredAPI
import KindredEngine
import Testing

/// The OpenAPI document's ranking parameters say what the code does: every control is there, with
/// the default the engine applies and the range the server accepts (`RankingParameter`), and the
/// server refuses a value just past either end.
@Suite("OpenAPI: the ranking parameters' defaults and ranges are the code's")
struct OpenAPIParameterTests {
    static var document: [String: Any] {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/KindredServer/Resources/openapi.json")
        let data = try! Data(contentsOf: path)
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    /// The schema of a component parameter, and its default (beside a `oneOf`'s alternatives).
    static func schema(_ name: String) -> (number: [String: Any], default: Any?)? {
        let components = document["components"] as? [String: Any]
        let parameters = components?["parameters"] as? [String: Any]
        guard let parameter = parameters?[name] as? [String: Any], let schema = parameter["schema"] as? [String: Any]
        else { return nil }
        let alternatives = schema["oneOf"] as? [[String: Any]]
        let number = alternatives?.first { $0["type"] as? String == "number" } ?? schema
        return (number, schema["default"])
    }

    @Test("every control is a parameter of GET /v1/articles/{id}/related")
    func everyControl() throws {
        let paths = try #require(Self.document["paths"] as? [String: Any])
        let related = try #require((paths["/v1/articles/{id}/related"] as? [String: Any])?["get"] as? [String: Any])
        let references = Set(
            (related["parameters"] as? [[String: Any]] ?? []).compactMap {
                ($0["$ref"] as? String)?.split(separator: "/").last
            }
            .map(String.init))
        for control in RankingParameter.allCases {
            #expect(references.contains(control.queryName), "\(control.queryName)")
            #expect(Self.schema(control.queryName) != nil, "\(control.queryName)")
        }
    }

    @Test("each numeric control's default and range are the code's", arguments: RankingParameter.allCases)
    func numbers(_ control: RankingParameter) throws {
        let (schema, stated) = try #require(Self.schema(control.queryName))
        if let expected = control.numericDefault {
            let value = try #require(stated as? Double, "\(control.queryName) states no default")
            #expect(abs(value - expected) < 1e-6, "\(control.queryName): \(value) against \(expected)")
        }
        guard let range = control.numericRange else {
            #expect(schema["maximum"] == nil, "\(control.queryName) states a range the code doesn't check")
            return
        }
        #expect(schema["maximum"] as? Double == range.upper, "\(control.queryName)")
        let lowerKey = range.lowerExcluded ? "exclusiveMinimum" : "minimum"
        #expect(schema[lowerKey] as? Double == range.lower, "\(control.queryName)")
        // The server takes the ends it states and refuses what lies just past them.
        func accepts(_ value: Double) -> Bool {
            var values = [control.queryName: control == .k ? String(Int(value)) : String(value)]
            // Freshness weighs a half-life's decay: it needs one.
            if control == .freshness { values["half_life"] = "7" }
            return (try? RankingParameters(text: values).query(maximumK: ResultCount.serverMaximum)) != nil
        }
        let step = control == .k ? 1.0 : 0.5
        #expect(accepts(range.upper) && !accepts(range.upper + step), "\(control.queryName)")
        #expect(accepts(range.lower) != range.lowerExcluded && !accepts(range.lower - step), "\(control.queryName)")
    }
}
