import Foundation
import FuzzSupport
import KindredEngine

/// Corpus files: any bytes are read into articles and problems, never a crash, and every article
/// read is one the rest of the engine accepts.
func target(_ data: Data) {
    let result = CorpusReader().read(data: data, file: "fuzz.jsonl")
    for article in result.articles {
        precondition(!article.id.isEmpty && article.id.utf8.count <= CorpusReader.maximumIDLength, "bad id accepted")
        precondition(!(article.title + article.body).isEmpty, "empty article accepted")
    }
    precondition(Set(result.articles.map(\.id)).count == result.articles.count, "duplicate id accepted")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func entry(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt { Fuzz.one(start, count, target) }
#if !FUZZING
    @main enum Replay { static func main() { Fuzz.replay(target) } }
#endif
