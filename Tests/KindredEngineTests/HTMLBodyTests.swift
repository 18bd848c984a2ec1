import Foundation
import Testing

@testable import KindredEngine

/// The sample corpus as a WordPress site stores it: each paragraph a `wp:paragraph` block, a hero
/// image block, an ad slot and a tracking script, entities for `&`, `'` and some spaces, links
/// inside the text.
enum WordPressRendering {
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: "'", with: "&#39;")
    }

    /// A paragraph with its second space an `&nbsp;` and its first word a link.
    static func paragraph(_ text: String, link: String?) -> String {
        var words = escaped(text).components(separatedBy: " ")
        if let link, !words.isEmpty { words[0] = "<a href=\"\(link)\" class=\"internal\">\(words[0])</a>" }
        var html = words.first ?? ""
        for (i, word) in words.dropFirst().enumerated() { html += (i == 1 ? "&nbsp;" : " ") + word }
        return "<!-- wp:paragraph -->\n<p class=\"has-text-align-left\">\(html)</p>\n<!-- /wp:paragraph -->"
    }

    static func body(of article: Article) -> String {
        var blocks = [
            "<!-- wp:image {\"id\":12} --><figure class=\"wp-block-image\"><img src=\"https://cdn.example.com/hero.jpg\" alt=\"\"/></figure><!-- /wp:image -->"
        ]
        for (i, text) in article.body.components(separatedBy: "\n\n").enumerated() {
            blocks.append(paragraph(text, link: i == 0 ? "https://news.example.com/elsewhere" : nil))
            if i == 0 {
                blocks.append(
                    "<div class=\"ad-slot\" data-slot=\"mid\"><script>window.ads.push({slot: \"mid\"});</script></div>")
            }
        }
        blocks.append("<script async src=\"https://tracker.example.com/t.js\"></script>")
        return blocks.joined(separator: "\n")
    }

    /// The article as a corpus line would give it, read back through `CorpusReader`.
    static func read(_ article: Article) throws -> Article {
        var fields: [String: Any] = ["id": article.id, "title": escaped(article.title), "body": body(of: article)]
        fields["language"] = article.language
        fields["section"] = article.section
        fields["tags"] = article.tags
        fields["url"] = article.url
        fields["published_at"] = article.publishedAt.map(RFC3339.format)
        return try CorpusReader.article(from: fields).get()
    }
}

@Suite("HTML bodies")
struct HTMLBodyTests {
    @Test("the sample corpus rendered as WordPress HTML gives the plain text's top-5 lists")
    func sameLists() throws {
        let rendered = try Sample.articles.map(WordPressRendering.read)
        #expect(rendered.map(\.title) == Sample.articles.map(\.title))
        let model = try ModelBuilder().build(rendered).model
        for article in Sample.articles {
            let plain = try Sample.model.related(to: article.id, k: 5).map(\.article.id)
            let html = try model.related(to: article.id, k: 5).map(\.article.id)
            #expect(plain == html, "\(article.id)")
        }
    }

    @Test("body_format overrides detection; a bad value is an error naming the field")
    func override() throws {
        let asText = try CorpusReader.article(from: ["id": "a", "body": "<p>x</p>", "body_format": "text"]).get()
        #expect(asText.body == "<p>x</p>")
        let asHTML = try CorpusReader.article(from: ["id": "a", "body": "x &lt; y", "body_format": "html"]).get()
        #expect(asHTML.body.contains("x < y"))
        guard case .failure(let reason) = CorpusReader.article(from: ["id": "a", "body": "x", "body_format": "pdf"])
        else {
            Issue.record("pdf accepted")
            return
        }
        #expect(reason.text.contains("body_format"))
    }

    @Test("a reader-wide body format applies to bodies that don't say, not to those that do")
    func readerFormat() {
        let lines = """
            {"id": "a", "body": "<p>kept as typed</p>"}
            {"id": "b", "body": "x &lt; y", "body_format": "html"}
            """
        let asText = CorpusReader(bodyFormat: .text).read(data: Data(lines.utf8), file: "t.jsonl").articles
        #expect(asText.map(\.body) == ["<p>kept as typed</p>", "x < y"])
        let asHTML = CorpusReader(bodyFormat: .html).read(
            data: Data("{\"id\": \"c\", \"body\": \"AT&amp;T\"}".utf8), file: "t")
        #expect(asHTML.articles.first?.body == "AT&T")
    }

    @Test("a draft in HTML is read as its text, and its links count as linked")
    func draft() throws {
        let index = LiveIndex(model: Sample.model, version: "test")
        let html = """
            <p>Xiaomi's first tracker works with <a href="https://news.example.com/wearables/airtag-2-range">AirTag's</a> \
            network rivals, Apple Find My and Google Find Hub.</p><script>var find = "leica camera phone";</script>
            """
        let flag = RelatedQuery(k: 5, linkedArticles: .flag)
        let fromHTML = try index.similar(title: "Xiaomi Tag", body: html, language: "en", query: flag)
        let linked = try #require(fromHTML.results.first { $0.article.id == "airtag-2-range" })
        #expect(linked.alreadyLinked)
        let excluded = try index.similar(title: "Xiaomi Tag", body: html, language: "en", query: RelatedQuery(k: 5))
        #expect(!excluded.results.contains { $0.article.id == "airtag-2-range" })
        // The same words as plain text (no link, no script): the same ranking.
        let plain = "Xiaomi's first tracker works with AirTag's network rivals, Apple Find My and Google Find Hub."
        let fromText = try index.similar(title: "Xiaomi Tag", body: plain, language: "en", query: flag)
        #expect(fromHTML.results.map(\.article.id) == fromText.results.map(\.article.id))
        // Told it is text, the same body keeps its markup and script as words.
        let typed = try index.related(
            like: [.text(title: "Xiaomi Tag", body: html, language: "en", bodyFormat: .text)], query: flag)
        #expect(typed.results.map(\.score) != fromHTML.results.map(\.score))
    }
}
