/// A seeded pseudo-random generator (xoshiro256**, Blackman & Vigna 2018), so that a model
/// built twice from the same corpus and seed is the same model.
///
/// The standard library's generator can't be seeded and Foundation has none on Linux; this one
/// is the small, well-studied default of several numeric libraries. State is expanded from the
/// seed with SplitMix64, as its authors recommend.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var z = seed
        func splitMix() -> UInt64 {
            z &+= 0x9E37_79B9_7F4A_7C15
            var x = z
            x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
            x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
            return x ^ (x >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    public mutating func next() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotate(state.3, 45)
        return result
    }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// `k` distinct integers of `0..<n` (at most `n` of them), drawn uniformly in k steps
    /// whatever `n` (Floyd's algorithm), for samples of a large collection.
    public mutating func distinct(_ k: Int, below n: Int) -> [Int] {
        var chosen = Set<Int>(), drawn: [Int] = []
        for j in (n - min(k, n))..<n {
            let t = Int(next() % UInt64(j + 1))
            let pick = chosen.contains(t) ? j : t
            chosen.insert(pick)
            drawn.append(pick)
        }
        return drawn
    }

    /// A standard normal sample (Box–Muller transform).
    public mutating func nextGaussian() -> Float {
        // 53 random bits → a uniform double in (0, 1]; never 0 so the logarithm is finite.
        let u1 = (Double(next() >> 11) + 1) / 9_007_199_254_740_992
        let u2 = Double(next() >> 11) / 9_007_199_254_740_992
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }

    /// A `rows × columns` matrix of independent standard normal samples.
    public mutating func gaussianMatrix(rows: Int, columns: Int) -> DenseMatrix {
        var matrix = DenseMatrix(rows: rows, columns: columns)
        for i in matrix.storage.indices { matrix.storage[i] = nextGaussian() }
        return matrix
    }

    /// A `rows × columns` matrix of standard normal samples, filled on all cores: each block of
    /// `blockRows` rows draws from its own generator, seeded from `seed` and the block's number,
    /// so the matrix depends on the seed alone, never on the thread count. Samples come from the
    /// ziggurat method (`Ziggurat`), two per 64-bit draw on its fast path. The randomized SVD's
    /// test matrix (terms × l, 52 million samples for Debian) took a second on one core at first,
    /// 0.2 s on two with Box–Muller pairs.
    public static func gaussianMatrix(rows: Int, columns: Int, seed: UInt64, blockRows: Int = 1024) -> DenseMatrix {
        var matrix = DenseMatrix(rows: rows, columns: columns)
        let blocks = (rows + blockRows - 1) / blockRows
        let tables = Ziggurat.tables
        matrix.storage.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            Parallel.forEach(blocks) { block in
                var generator = SeededGenerator(seed: seed &+ UInt64(block + 1) &* 0x9E37_79B9_7F4A_7C15)
                let start = block * blockRows * columns, end = min(rows, (block + 1) * blockRows) * columns
                var i = start
                while i < end {
                    let bits = generator.next()
                    base[i] = Ziggurat.sample(UInt32(truncatingIfNeeded: bits), tables: tables, generator: &generator)
                    if i + 1 < end {
                        base[i + 1] = Ziggurat.sample(
                            UInt32(truncatingIfNeeded: bits >> 32), tables: tables, generator: &generator)
                    }
                    i += 2
                }
            }
        }
        return matrix
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
