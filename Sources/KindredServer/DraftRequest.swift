import Foundation
import KindredEngine
import KindredText

/// A `POST /v1/related` body, checked: the examples to be like and unlike (the draft's own
/// title and body first), the draft's links, and the query controls.
public struct DraftRequest: Sendable {
    public var like: [QueryExample]
    public var unlike: [QueryExample]
    public var links: [String]
    public var query: RelatedQuery

    /// Fields of a draft query besides the controls: the draft, its links, and more examples.
    static let draftFields: Set<String> = ["title", "body", "language", "links", "like", "unlike", "results_language"]

    /// The JSON type of each control in a draft body (strings when not listed).
    static let fieldTypes: [String: RequestParsing.FieldType] = [
        "k": .integer, "min_score": .number, "half_life": .number, "freshness": .number, "diversity": .number,
        "dedupe": .numberOrString, "explain": .boolean,
    ]

    /// Every field `POST /v1/related` accepts: a control's `language` is `results_language` there,
    /// since `language` is the draft's own.
    static var acceptedDraftFields: Set<String> {
        draftFields.union(RelatedQuery.parameterNames.subtracting(["language"]))
    }

    /// Reads and checks a `POST /v1/related` body.
    ///
    /// - Throws: `Problem` 400 for an unknown field, a wrong type or an empty query;
    ///   `EngineError` (400) for a control's bad value.
    public init(fields: [String: Any], configuration: ServerConfiguration) throws {
        let accepted = Self.acceptedDraftFields
        if let unknown = fields.keys.sorted().first(where: { !accepted.contains($0) }) {
            throw Problem.badRequest("unknown field '\(unknown)'; accepted: \(accepted.sorted().joined(separator: ", "))")
        }
        let present = fields.filter { !($0.value is NSNull) }
        func string(_ key: String) throws -> String? {
            guard let value = present[key] else { return nil }
            guard let text = value as? String else { throw Problem.badRequest("'\(key)' must be a string") }
            return text
        }
        let title = try string("title") ?? "", body = try string("body") ?? "", language = try string("language")
        if let language, Language.primarySubtag(of: language) == nil {
            throw Problem.badRequest("language '\(language)' is not a BCP 47 tag (e.g. en, de-CH)")
        }
        var like: [QueryExample] = []
        if !(title + body).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            like.append(.text(title: title, body: body, language: language))
        }
        like += try Self.examples(present["like"], name: "like")
        let unlike = try Self.examples(present["unlike"], name: "unlike")
        guard !like.isEmpty else {
            throw Problem.badRequest("give a non-empty 'title' or 'body', or examples in 'like'")
        }
        let links = try present["links"].map { try RequestParsing.strings($0, name: "links") } ?? []

        var values: [String: String] = [:]
        for name in RelatedQuery.parameterNames.subtracting(["language", "exclude"]) {
            guard let value = present[name] else { continue }
            values[name] = try RequestParsing.scalar(value, name: name, type: Self.fieldTypes[name] ?? .string)
        }
        if let value = present["results_language"] {
            values["language"] = try RequestParsing.scalar(value, name: "results_language", type: .string)
        }
        if let value = present["exclude"] {
            values["exclude"] = try RequestParsing.strings(value, name: "exclude").joined(separator: ",")
        }
        self.like = like
        self.unlike = unlike
        self.links = links
        self.query = try RequestParsing.relatedQuery(values, configuration: configuration)
    }

    /// `like` / `unlike`: ids, or objects `{"title", "body", "language"}`.
    static func examples(_ value: Any?, name: String) throws -> [QueryExample] {
        guard let value else { return [] }
        guard let items = value as? [Any] else {
            throw Problem.badRequest("'\(name)' must be an array of article ids or {\"title\", \"body\"} objects")
        }
        let limit = 100
        guard items.count <= limit else { throw Problem.badRequest("'\(name)' holds \(items.count) examples; at most \(limit)") }
        return try items.map { item in
            if let id = item as? String, !id.isEmpty { return .article(id) }
            if let text = item as? [String: Any] {
                if let key = text.keys.first(where: { !["title", "body", "language"].contains($0) }) {
                    throw Problem.badRequest("unknown field '\(key)' in a '\(name)' text; accepted: body, language, title")
                }
                guard let title = (text["title"] ?? "") as? String, let body = (text["body"] ?? "") as? String,
                      !(title + body).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                    throw Problem.badRequest("a '\(name)' text needs a non-empty string 'title' or 'body'")
                }
                let language = text["language"] as? String
                if let language, Language.primarySubtag(of: language) == nil {
                    throw Problem.badRequest("language '\(language)' in '\(name)' is not a BCP 47 tag")
                }
                return .text(title: title, body: body, language: language)
            }
            throw Problem.badRequest("each of '\(name)' must be a non-empty article id or a {\"title\", \"body\"} object")
        }
    }
}
