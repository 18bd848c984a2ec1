import Foundation
import KindredAPI
import KindredEngine
import Testing

@Suite("POST /v1/related bodies, decoded")
struct DraftRequestTests {
    func decode(_ json: String) throws -> DraftRequest { try DraftRequest.decode(Data(json.utf8)) }

    @Test("a draft with examples, links and typed controls")
    func full() throws {
        let draft = try decode(
            #"{"title": "Tracker", "body": "Find My", "language": "en", "like": ["a", {"body": "more"}], "#
                + #""unlike": ["b"], "links": ["https://x/y"], "k": 3, "min_score": 0.2, "dedupe": "off", "#
                + #""diversity": 0.9, "explain": true, "exclude": ["c"], "results_language": "any"}"#)
        #expect(
            draft.like == [
                .text(title: "Tracker", body: "Find My", language: "en"), .article("a"),
                .text(title: "", body: "more", language: nil),
            ])
        #expect(draft.unlike == [.article("b")])
        #expect(draft.links == ["https://x/y"])
        let query = try draft.ranking.query(maximumK: 100)
        #expect(query.k == 3 && query.minimumScore == 0.2 && query.duplicateThreshold == nil && query.diversity == 0.9)
        #expect(query.explain && query.excludedIDs == ["c"] && query.language == .any)
    }

    @Test("body_format overrides the HTML detection, for the draft and for a text in like")
    func bodyFormat() throws {
        let draft = try decode(
            #"{"body": "a < b and c > d", "body_format": "text", "like": [{"body": "<p>x</p>", "body_format": "html"}]}"#
        )
        #expect(
            draft.like == [
                .text(title: "", body: "a < b and c > d", language: nil, bodyFormat: .text),
                .text(title: "", body: "<p>x</p>", language: nil, bodyFormat: .html),
            ])
        #expect(try decode(#"{"body": "<p>x</p>"}"#).like == [.text(title: "", body: "<p>x</p>", language: nil)])
    }

    @Test("a number for dedupe is its threshold; null is absent")
    func numbers() throws {
        let query = try decode(#"{"body": "x", "dedupe": 0.7, "k": null}"#).ranking.query(defaultK: 4, maximumK: 100)
        #expect(query.duplicateThreshold == 0.7 && query.k == 4)
    }

    @Test(
        "bodies that can't be used name the field and what it takes",
        arguments: [
            (#"{"body": "x", "colour": 1}"#, "unknown field 'colour'"),
            (#"{"body": "x", "k": 2.5}"#, "'k' must be an integer"),
            (#"{"body": "x", "k": "3"}"#, "'k' must be an integer"),
            (#"{"body": "x", "explain": 1}"#, "'explain' must be true or false"),
            (#"{"body": "x", "diversity": "high"}"#, "'diversity' must be a number"),
            (#"{"body": 5}"#, "'body' must be a string"),
            (#"{"body": "x", "body_format": "pdf"}"#, "body_format must be html or text; got 'pdf'"),
            (#"{"like": [{"body": "x", "body_format": "md"}]}"#, "body_format in 'like' must be html or text"),
            (#"{"like": [{"title": "t", "colour": 1}]}"#, "unknown field 'colour' in a 'like' text"),
            (#"{}"#, "give a non-empty 'title' or 'body'"),
            (#"[1]"#, "must be a JSON object"),
            (#"{"body": "#, "malformed JSON"),
        ])
    func refused(json: String, message: String) {
        let error = #expect(throws: RequestBodyError.self) { try decode(json) }
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "no error")")
    }
}
