import Foundation
import FuzzSupport
import KindredEngine
import KindredServer

/// Request bodies, as the server reads them: JSON, then the draft query's checks and the ranking
/// pipeline (POST /v1/related), and the article checks of PUT /v1/articles/{id}.
func target(_ data: Data) {
    guard let fields = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return }
    if case .success(let article) = CorpusReader.article(from: fields) {
        _ = try? Fuzz.index.upserting(article)
    }
    let configuration = ServerConfiguration(modelDirectory: "/nonexistent")
    guard let draft = try? DraftRequest(fields: fields, configuration: configuration) else { return }
    guard let list = try? Fuzz.index.related(like: draft.like, unlike: draft.unlike, links: draft.links, query: draft.query)
    else { return }
    Fuzz.check(list, k: draft.query.k)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func entry(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt { Fuzz.one(start, count, target) }
#if !FUZZING
@main enum Replay { static func main() { Fuzz.replay(target) } }
#endif
