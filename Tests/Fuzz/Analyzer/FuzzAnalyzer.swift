import Foundation
import FuzzSupport
import KindredText

/// The analyzer on any text, in a language and with options picked by the first byte: terms
/// are never empty and never hold whitespace.
func target(_ data: Data) {
    guard let first = data.first else { return }
    let languages = ["en", "de", "fr", "es", "it", "pt", "nl", "ja", "zh", "xx", "en-GB"]
    let options = AnalyzerOptions(phrases: first & 0x10 != 0, stemming: first & 0x20 != 0, stopWords: first & 0x40 != 0)
    let text = String(decoding: data.dropFirst(), as: UTF8.self)
    let analyzer = Analyzer(options: options)
    for term in analyzer.analyze(text, language: languages[Int(first) % languages.count]) {
        precondition(!term.isEmpty, "empty term")
        precondition(
            !term.unicodeScalars.contains { $0.properties.isWhitespace && $0 != " " }, "term with whitespace: \(term)")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func entry(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt { Fuzz.one(start, count, target) }
#if !FUZZING
    @main enum Replay { static func main() { Fuzz.replay(target) } }
#endif
