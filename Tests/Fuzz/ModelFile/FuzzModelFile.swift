import Foundation
import FuzzSupport
import KindredEngine

/// Model files: any bytes are a model that passes its invariants or a `ModelFileError`; never a
/// crash, never a huge allocation from a length field.
func target(_ data: Data) {
    _ = try? ModelFile.decode(data, file: "fuzz.kdm")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func entry(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt { Fuzz.one(start, count, target) }
#if !FUZZING
    @main enum Replay { static func main() { Fuzz.replay(target) } }
#endif
