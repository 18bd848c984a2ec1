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

    /// A standard normal sample (Box–Muller transform).
    public mutating func nextGaussian() -> Float {
        // 53 random bits → a uniform double in (0, 1]; never 0 so the logarithm is finite.
        let u1 = (Double(next() >> 11) + 1) / 9_007_199_254_740_992
        let u2 = Double(next() >> 11) / 9_007_199_254_740_992
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }

    /// Two independent standard normal samples from one 64-bit draw: both outputs of Box–Muller,
    /// in `Float`. The 24-bit radius draw bounds the samples at about 5.8 σ, which a random test
    /// matrix does not notice; `nextGaussian` keeps the full tails for everything else.
    mutating func nextGaussianPair() -> (Float, Float) {
        let bits = next()
        let u1 = (Float(bits >> 40) + 1) * 0x1p-24  // (0, 1]: the logarithm stays finite
        let u2 = Float((bits >> 8) & 0xFF_FFFF) * 0x1p-24
        let radius = (-2 * logf(u1)).squareRoot()
        let angle = 2 * Float.pi * u2
        return (radius * cosf(angle), radius * sinf(angle))
    }

    /// A `rows × columns` matrix of independent standard normal samples.
    public mutating func gaussianMatrix(rows: Int, columns: Int) -> DenseMatrix {
        var matrix = DenseMatrix(rows: rows, columns: columns)
        for i in matrix.storage.indices { matrix.storage[i] = nextGaussian() }
        return matrix
    }

    /// A `rows × columns` matrix of standard normal samples, filled on all cores: each block of
    /// `blockRows` rows draws from its own generator, seeded from `seed` and the block's number,
    /// so the matrix depends on the seed alone, never on the thread count. The randomized SVD's
    /// test matrix (terms × l, 52 million samples for Debian) took a second on one core before.
    public static func gaussianMatrix(rows: Int, columns: Int, seed: UInt64, blockRows: Int = 1024) -> DenseMatrix {
        var matrix = DenseMatrix(rows: rows, columns: columns)
        let blocks = (rows + blockRows - 1) / blockRows
        matrix.storage.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            Parallel.forEach(blocks) { block in
                var generator = SeededGenerator(seed: seed &+ UInt64(block + 1) &* 0x9E37_79B9_7F4A_7C15)
                let start = block * blockRows * columns, end = min(rows, (block + 1) * blockRows) * columns
                var i = start
                while i + 1 < end {
                    (base[i], base[i + 1]) = generator.nextGaussianPair()
                    i += 2
                }
                if i < end { base[i] = generator.nextGaussianPair().0 }
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
