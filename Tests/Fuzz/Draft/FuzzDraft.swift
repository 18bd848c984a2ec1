import Foundation
import FuzzSupport
import KindredAPI
import KindredEngine

/// Request bodies, as the server reads them: the draft body's decoding and checks, then the ranking
/// pipeline (POST /v1/related), and the article checks of PUT /v1/articles/{id}.
func target(_ data: Data) {
    if let fields = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
        case .success(let article) = CorpusReader.article(from: fields)
    {
        _ = Fuzz.index.upserting(article)
    }
    guard let draft = try? DraftRequest.decode(data), let query = try? draft.ranking.query(maximumK: 100) else {
        return
    }
    guard let list = try? Fuzz.index.related(like: draft.like, unlike: draft.unlike, links: draft.links, query: query)
    else { return }
    Fuzz.check(list, k: query.k)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func entry(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt { Fuzz.one(start, count, target) }
#if !FUZZING
    @main enum Replay { static func main() { Fuzz.replay(target) } }
#endif
