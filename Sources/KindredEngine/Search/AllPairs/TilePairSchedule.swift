import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Hands out pairs of tiles to the workers of `symmetricAllNeighbors` so that no two workers hold
/// the same tile: each takes the first pair, in order, whose tiles are both free.
final class TilePairSchedule: Sendable {
    struct Pair: Sendable {
        let first: Int
        let second: Int
        /// The pair's place in `pairs`.
        var index = 0
    }

    /// Every tile against itself, then each tile against the next, then the one after, and so on.
    let pairs: [Pair]
    private let costs: [Double]
    private let total: Double
    private let state: Mutex<State>

    private struct State {
        var taken: [Bool]
        /// Every pair before this one is taken.
        var cursor = 0
        var busy: [Bool]
        var finished = 0.0
        var abandoned = false
    }

    /// - Parameter rows: the number of rows of each tile, to weigh the pairs for progress.
    init(tiles: Int, rows: (Int) -> Int) {
        var pairs = (0..<tiles).map { Pair(first: $0, second: $0) }
        for distance in 1..<max(1, tiles) {
            for first in 0..<(tiles - distance) { pairs.append(Pair(first: first, second: first + distance)) }
        }
        for index in pairs.indices { pairs[index].index = index }
        self.pairs = pairs
        costs = pairs.map { Double(rows($0.first)) * Double(rows($0.second)) }
        total = max(1, costs.reduce(0, +))
        state = Mutex(
            State(taken: [Bool](repeating: false, count: pairs.count), busy: [Bool](repeating: false, count: tiles)))
    }

    /// The next pair for a worker, waiting while every remaining pair shares a tile with one
    /// another worker holds; nil when none is left (or the search was abandoned).
    func next() -> Pair? {
        while true {
            enum Pick { case pair(Int), wait, none }
            let pick: Pick = state.withLock { state in
                if state.abandoned { return .none }
                while state.cursor < pairs.count && state.taken[state.cursor] { state.cursor += 1 }
                if state.cursor == pairs.count { return .none }
                for index in state.cursor..<pairs.count where !state.taken[index] {
                    let pair = pairs[index]
                    if !state.busy[pair.first] && !state.busy[pair.second] {
                        state.taken[index] = true
                        state.busy[pair.first] = true
                        state.busy[pair.second] = true
                        return .pair(index)
                    }
                }
                return .wait
            }
            switch pick {
            case .pair(let index): return pairs[index]
            case .none: return nil
            // Only near the end, for the last pairs: the other worker's pair takes milliseconds.
            case .wait: usleep(100)
            }
        }
    }

    /// Frees the pair's tiles and calls `report` with the fraction of the work done (under the
    /// lock, so never from two workers at once).
    func finish(_ pair: Pair, report: (Double) -> Void) {
        state.withLock { state in
            state.busy[pair.first] = false
            state.busy[pair.second] = false
            state.finished += costs[pair.index]
            if !state.abandoned { report(state.finished / total) }
        }
    }

    /// Stops handing out pairs (a worker failed).
    func abandon() {
        state.withLock { $0.abandoned = true }
    }
}
