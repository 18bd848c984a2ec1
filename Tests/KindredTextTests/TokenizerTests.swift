import Foundation
import Testing

@testable import KindredText

@Suite("Tokenizer")
struct TokenizerTests {
    @Test(
        "splits text into the expected tokens",
        arguments: [
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

@Suite("Tokenizer: the ASCII path")
struct ASCIITokenizerTests {
    /// Tokens from the ASCII fast path and from the general scalar path, for one ASCII text.
    func both(_ text: String, _ tokenizer: Tokenizer = Tokenizer()) -> (fast: [Token], general: [Token]) {
        let fast = Array(text.utf8).withUnsafeBufferPointer { tokenizer.tokenizeASCII($0) }
        return (fast, tokenizer.tokenizeScalars(text))
    }

    @Test("gives the general path's tokens on random ASCII built from the characters the rules treat specially")
    func randomText() {
        // Letters, digits and every character a rule looks at, so that each rule meets each
        // neighbour: apostrophes, points and commas between digits, underscores, hyphens.
        let alphabet = Array("aZ09'._,- \n\tb1".utf8)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for length in 0..<400 {
            var bytes: [UInt8] = []
            for _ in 0..<length {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                bytes.append(alphabet[Int(state >> 33) % alphabet.count])
            }
            let text = String(decoding: bytes, as: UTF8.self)
            for tokenizer in [Tokenizer(), Tokenizer(minimumLength: 1, maximumLength: 3)] {
                let (fast, general) = both(text, tokenizer)
                #expect(fast == general, "\(text.debugDescription)")
            }
        }
    }

    @Test("gives the general path's tokens on every ASCII text of the sample corpus")
    func sampleCorpus() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let files = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("corpus").path)
            .filter { $0.hasSuffix(".jsonl") }
        #expect(!files.isEmpty)
        var compared = 0
        for file in files {
            let text = try String(
                contentsOf: root.appendingPathComponent("corpus").appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") where line.utf8.allSatisfy({ $0 < 0x80 }) {
                // Whole JSON lines: quotes, braces, escapes and URLs besides the prose.
                let (fast, general) = both(String(line))
                #expect(fast == general)
                compared += 1
            }
        }
        #expect(compared > 0, "no ASCII line in the sample corpus")
    }

    @Test("non-ASCII text takes the general path")
    func nonASCII() {
        #expect(Tokenizer().tokenize("Café’s 6,000 photos") == Tokenizer().tokenizeScalars("Café’s 6,000 photos"))
        #expect(Tokenizer().tokenize("Leica's 6,000 photos").map(\.text) == ["Leica's", "6000", "photos"])
    }
}
