import Foundation
import KindredEngine
import KindredText

/// A `POST /v1/related` body: the draft (`title`, `body`, `language`, `body_format`), the articles it links to,
/// more examples to be like and unlike, and the ranking controls as JSON fields
/// (`RankingParameter.draftField`: a control's `language` is `results_language` here).
public struct DraftRequest: Decodable, Sendable {
    public var like: [QueryExample]
    public var unlike: [QueryExample]
    public var links: [String]
    public var ranking: RankingParameters

    /// Most examples `like` or `unlike` may hold.
    public static let maximumExamples = 100

    /// The draft's own fields, beside the controls.
    static let draftFields: Set<String> = ["title", "body", "language", "body_format", "links", "like", "unlike"]

    /// Every field the body may hold.
    public static var acceptedFields: Set<String> { draftFields.union(RankingParameter.allCases.map(\.draftField)) }

    /// Reads the body's JSON.
    ///
    /// - Throws: `RequestBodyError` for malformed JSON, an unknown field, a wrong type, an empty
    ///   query; `RankingParameters.UnreadableValue` for a control's text that doesn't parse.
    public static func decode(_ data: Data) throws -> DraftRequest {
        do {
            return try JSONDecoder().decode(DraftRequest.self, from: data)
        } catch let error as DecodingError {
            switch error {
            case .dataCorrupted(let context):
                let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
                throw RequestBodyError("malformed JSON: \(underlying ?? context.debugDescription)")
            case .typeMismatch:
                throw RequestBodyError("the body must be a JSON object")
            default:
                throw RequestBodyError("unreadable body: \(error)")
            }
        }
    }

    public init(from decoder: Decoder) throws {
        let fields = try decoder.container(keyedBy: AnyKey.self)
        try fields.rejectUnknownKeys(accepted: Self.acceptedFields)
        let title = try fields.string("title") ?? "", body = try fields.string("body") ?? ""
        let language = try fields.string("language")
        if let language, Language.primarySubtag(of: language) == nil {
            throw RequestBodyError("language '\(language)' is not a BCP 47 tag (e.g. en, de-CH)")
        }
        let bodyFormat = try Self.bodyFormat(in: fields)
        like = []
        if !(title + body).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            like.append(.text(title: title, body: body, language: language, bodyFormat: bodyFormat))
        }
        like += try Self.examples(in: fields, "like")
        unlike = try Self.examples(in: fields, "unlike")
        guard !like.isEmpty else { throw RequestBodyError("give a non-empty 'title' or 'body', or examples in 'like'") }
        links = try fields.strings("links") ?? []
        ranking = try Self.ranking(in: fields)
    }

    /// The controls, each checked for its JSON type before its value is read.
    private static func ranking(in fields: KeyedDecodingContainer<AnyKey>) throws -> RankingParameters {
        var ranking = RankingParameters()
        for parameter in RankingParameter.allCases {
            let name = parameter.draftField
            switch parameter.jsonType {
            case .integer:
                guard let number = try fields.field(Double.self, name, expected: "an integer") else { continue }
                guard let integer = Int(exactly: number) else { throw RequestBodyError("'\(name)' must be an integer") }
                ranking.k = integer
            case .number:
                guard let number = try fields.field(Double.self, name, expected: "a number") else { continue }
                ranking.set(parameter, number: number)
            case .numberOrString:
                if let number = try? fields.field(Double.self, name, expected: "") {
                    ranking.set(parameter, number: number)
                } else if let text = try fields.field(String.self, name, expected: "a string or a number") {
                    try ranking.set(parameter, text: text)
                }
            case .boolean:
                guard let flag = try fields.field(Bool.self, name, expected: "true or false") else { continue }
                if parameter == .exact { ranking.exact = flag } else { ranking.explain = flag }
            case .strings:
                guard let list = try fields.strings(name) else { continue }
                ranking.exclude = list
            case .string:
                guard let text = try fields.string(name) else { continue }
                try ranking.set(parameter, text: text)
            }
        }
        return ranking
    }

    /// `like` / `unlike`: ids, or objects `{"title", "body", "language"}`.
    private static func examples(in fields: KeyedDecodingContainer<AnyKey>, _ name: String) throws -> [QueryExample] {
        let key = AnyKey(name)
        guard fields.contains(key), try !fields.decodeNil(forKey: key) else { return [] }
        let shape = "an array of article ids or {\"title\", \"body\"} objects"
        guard var items = try? fields.nestedUnkeyedContainer(forKey: key) else {
            throw RequestBodyError("'\(name)' must be \(shape)")
        }
        if let count = items.count, count > maximumExamples {
            throw RequestBodyError("'\(name)' holds \(count) examples; at most \(maximumExamples)")
        }
        var examples: [QueryExample] = []
        while !items.isAtEnd {
            if let id = try? items.decode(String.self) {
                guard !id.isEmpty else {
                    throw RequestBodyError(
                        "each of '\(name)' must be a non-empty article id or a {\"title\", \"body\"} object")
                }
                examples.append(.article(id))
            } else if let text = try? items.nestedContainer(keyedBy: AnyKey.self) {
                examples.append(try example(text, name))
            } else {
                throw RequestBodyError(
                    "each of '\(name)' must be a non-empty article id or a {\"title\", \"body\"} object")
            }
        }
        return examples
    }

    /// `body_format`: `html` or `text`, or absent to tell from the body.
    private static func bodyFormat(in fields: KeyedDecodingContainer<AnyKey>, _ place: String = "") throws
        -> BodyFormat?
    {
        guard let text = try fields.string("body_format") else { return nil }
        guard let format = BodyFormat(rawValue: text) else {
            throw RequestBodyError("body_format\(place) must be html or text; got '\(text)'")
        }
        return format
    }

    private static func example(_ text: KeyedDecodingContainer<AnyKey>, _ name: String) throws -> QueryExample {
        try text.rejectUnknownKeys(accepted: ["title", "body", "language", "body_format"], in: " in a '\(name)' text")
        let needsText = RequestBodyError("a '\(name)' text needs a non-empty string 'title' or 'body'")
        let title: String?, body: String?
        do {
            (title, body) = (try text.string("title"), try text.string("body"))
        } catch {
            throw needsText
        }
        guard !((title ?? "") + (body ?? "")).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw needsText
        }
        // A language that is not a string is ignored, as before; a malformed tag is refused.
        let language = (try? text.string("language")) ?? nil
        if let language, Language.primarySubtag(of: language) == nil {
            throw RequestBodyError("language '\(language)' in '\(name)' is not a BCP 47 tag")
        }
        let bodyFormat = try Self.bodyFormat(in: text, " in '\(name)'")
        return .text(title: title ?? "", body: body ?? "", language: language, bodyFormat: bodyFormat)
    }
}

/// A `PUT /v1/articles/{id}/overrides` body: `{"pinned": [ids], "blocked": [ids]}`.
public struct OverridesRequest: Decodable, Sendable {
    public var entry: EditorialOverrides.Entry

    public init(from decoder: Decoder) throws {
        let fields = try decoder.container(keyedBy: AnyKey.self)
        try fields.rejectUnknownKeys(accepted: ["pinned", "blocked"])
        entry = EditorialOverrides.Entry(
            pinned: try fields.strings("pinned") ?? [], blocked: try fields.strings("blocked") ?? [])
    }
}
