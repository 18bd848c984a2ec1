/// Who chose each article as a candidate neighbour: the reverse of the candidate links, as one
/// array with offsets.
struct ReverseLinks: Sendable {
    let offsets: [Int]
    let chosenBy: [Int32]

    init(_ forward: [Int32], width: Int) {
        let n = forward.count / max(width, 1)
        var offsets = [Int](repeating: 0, count: n + 1)
        for neighbour in forward where neighbour >= 0 { offsets[Int(neighbour) + 1] += 1 }
        for a in 0..<n { offsets[a + 1] += offsets[a] }
        var chosenBy = [Int32](repeating: 0, count: offsets[n])
        var next = offsets
        for a in 0..<n {
            for slot in 0..<width {
                let neighbour = Int(forward[a * width + slot])
                if neighbour < 0 { break }
                chosenBy[next[neighbour]] = Int32(a)
                next[neighbour] += 1
            }
        }
        (self.offsets, self.chosenBy) = (offsets, chosenBy)
    }

    /// Article `a`'s candidates: its own nearest (`width` of them at `nearest`, −1 padded), then
    /// the articles that chose it, each once.
    func candidates(of a: Int, nearest: UnsafePointer<Int32>, width: Int) -> [Int32] {
        var seen = Set<Int32>(), candidates: [Int32] = []
        for slot in 0..<width where nearest[slot] >= 0 && seen.insert(nearest[slot]).inserted {
            candidates.append(nearest[slot])
        }
        for r in offsets[a]..<offsets[a + 1] where seen.insert(chosenBy[r]).inserted { candidates.append(chosenBy[r]) }
        return candidates
    }
}
