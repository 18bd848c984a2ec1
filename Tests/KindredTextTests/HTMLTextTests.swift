import Testing

@testable import KindredText

@Suite("HTML bodies become text")
struct HTMLTextTests {
    @Test("WordPress markup: blocks, entities, links, alt text kept; comments, scripts, styles and shortcodes gone")
    func wordPress() {
        let html = """
            <!-- wp:paragraph --><p class="has-drop-cap">Xiaomi&nbsp;17 Ultra&#8217;s <a href="https://news.example.com/x">telephoto</a> \
            &amp; battery</p><!-- /wp:paragraph -->
            <script>track("view")</script><style>p { color: red }</style>
            [caption id="attachment_7" width="300"]<img src="a.jpg" alt="Leica red dot"/> The camera ring[/caption]
            <div class="ad">Advert</div><p>Second<br>line</p>
            """
        let extracted = HTMLText.extract(html)
        let words = extracted.text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        #expect(words == "Xiaomi 17 Ultra’s telephoto & battery Leica red dot The camera ring Advert Second line")
        #expect(extracted.links == ["https://news.example.com/x"])
        #expect(
            !extracted.text.contains("track") && !extracted.text.contains("color") && !extracted.text.contains("wp:"))
    }

    @Test(
        "markup is told from text that merely uses < and &",
        arguments: [
            ("<p>Hello</p>", true), ("Before<br/>after", true), ("<!-- wp:paragraph -->x", true),
            ("Tom &amp; Jerry", true),
            ("caf&#233;", true), ("a < b and c > d", false), ("AT&T and R&D; costs", false), ("plain news text", false),
            ("1 <2 is true", false), ("#include <stdio.h> and <sys/types.h>", false),
            ("press <Ctrl> and <Enter>", false),
            ("a <a.out.h> header", false), ("<B>loud</B>", true), ("<img src=x.jpg>", true), ("</p>", true),
            ("<table\n><tr><td>1</td></tr></table>", true),
        ])
    func detection(text: String, isHTML: Bool) {
        #expect(HTMLText.looksLikeHTML(text) == isHTML)
    }

    @Test("broken or deeply nested markup never crashes and keeps its text")
    func robustness() {
        #expect(HTMLText.extract("<p>unclosed <b>bold <i>both").text.contains("both"))
        let deep = String(repeating: "<div>", count: 20_000) + "core" + String(repeating: "</div>", count: 20_000)
        #expect(HTMLText.extract(deep).text.contains("core"))
        #expect(HTMLText.extract("").text.isEmpty)
        #expect(
            HTMLText.extract("<script>only()</script>").text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
    }

    @Test("only shortcode-shaped brackets go")
    func shortcodes() {
        #expect(
            HTMLText.removingShortcodes("a [gallery ids=\"1,2\"] b [/gallery] c [1] d").split(separator: " ") == [
                "a", "b", "c", "[1]", "d",
            ])
    }
}
