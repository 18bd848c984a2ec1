import Testing
@testable import KindredText

@Suite("Tokenizer")
struct TokenizerTests {
    @Test("splits text into the expected tokens", arguments: [
        ("Xiaomi 17 Ultra", ["Xiaomi", "17", "Ultra"]),
        ("a 200MP telephoto", ["200MP", "telephoto"]),
        ("6,000 mAh and 3.5 mm", ["6000", "mAh", "and", "3.5", "mm"]),
        ("Leica's red-dot logo", ["Leica's", "red", "dot", "logo"]),
        ("Leica’s phone", ["Leica's", "phone"]),
        ("end.Start", ["end", "Start"]),
        ("naïve café", ["naïve", "café"]),
        ("", []),
        ("!!! ... --- ???", []),
        ("a b c x", []),
        ("'quoted' words", ["quoted", "words"]),
    ])
    func tokens(input: String, expected: [String]) {
        #expect(Tokenizer().tokenize(input).map(\.text) == expected)
    }

    @Test("keeps CJK runs as one token and separates them from Latin text")
    func cjk() {
        let tokens = Tokenizer().tokenize("小米17 东京大学")
        #expect(tokens.map(\.text) == ["小米", "17", "东京大学"])
        #expect(tokens.map(\.kind) == [.cjk, .number, .cjk])
    }

    @Test("numbers and words are told apart")
    func kinds() {
        #expect(Tokenizer().tokenize("17 ultra 3.5").map(\.kind) == [.number, .word, .number])
    }

    @Test("positions count kept tokens")
    func positions() {
        #expect(Tokenizer().tokenize("one x two").map(\.position) == [0, 1])
    }

    @Test("over-long tokens are dropped")
    func overLong() {
        let long = String(repeating: "a", count: 41)
        #expect(Tokenizer().tokenize("short \(long) end").map(\.text) == ["short", "end"])
    }
}
