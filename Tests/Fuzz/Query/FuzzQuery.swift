import Foundation
import FuzzSupport
import HummingbirdCore
import KindredAPI

/// Query strings, as the server reads them: Hummingbird's URI parsing, then the related route's
/// parameter checks, then the ranking pipeline. Anything is a result or a typed error; nothing
/// crashes, and every list holds at most k distinct articles.
func target(_ data: Data) {
    guard let first = data.first else { return }
    let id = Fuzz.ids[Int(first) % Fuzz.ids.count]
    let uri = URI("/v1/articles/\(id)/related?" + String(decoding: data.dropFirst(), as: UTF8.self))
    var values: [String: String] = [:]
    for (key, value) in uri.queryParameters { values[String(key)] = String(value) }
    guard let query = try? RankingParameters(text: values).query(maximumK: 100) else { return }
    guard let list = try? Fuzz.index.related(to: id, query: query) else { return }
    Fuzz.check(list, k: query.k)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func entry(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt { Fuzz.one(start, count, target) }
#if !FUZZING
    @main enum Replay { static func main() { Fuzz.replay(target) } }
#endif
