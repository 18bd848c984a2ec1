/// Small helpers on `Float` vectors that BLAS would only make slower at these sizes.
public enum Vector {
    /// Scales `vector` to unit length in place.
    ///
    /// - Returns: `false` (and leaves the vector as it is) when its length is zero or not finite.
    @discardableResult
    public static func normalize(_ vector: UnsafeMutableBufferPointer<Float>) -> Bool {
        var sum: Float = 0
        for value in vector { sum += value * value }
        let norm = sum.squareRoot()
        guard norm > 0, norm.isFinite else { return false }
        let scale = 1 / norm
        for i in vector.indices { vector[i] *= scale }
        return true
    }

    /// Scales `vector` to unit length; see `normalize(_:)` for a zero vector.
    @discardableResult
    public static func normalize(_ vector: inout [Float]) -> Bool {
        vector.withUnsafeMutableBufferPointer { normalize($0) }
    }

    /// The dot product of two equally long vectors.
    public static func dot(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count, "dot of lengths \(a.count) and \(b.count)")
        return a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                guard let first = a.baseAddress, let second = b.baseAddress else { return 0 }
                return dot(first, second, count: a.count)
            }
        }
    }

    /// The dot product of `count` floats at `a` and at `b`: the inner loop of exact rescoring, so
    /// four SIMD4 accumulators (one SSE register each; wider Swift SIMD types spill here), and
    /// inlinable so that callers in other modules inline it.
    @inlinable
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        @inline(__always) func load(_ base: UnsafePointer<Float>, _ at: Int) -> SIMD4<Float> {
            UnsafeRawPointer(base + at).loadUnaligned(as: SIMD4<Float>.self)
        }
        var s0 = SIMD4<Float>(), s1 = SIMD4<Float>(), s2 = SIMD4<Float>(), s3 = SIMD4<Float>()
        var j = 0
        while j + 16 <= count {
            s0 += load(a, j) * load(b, j)
            s1 += load(a, j + 4) * load(b, j + 4)
            s2 += load(a, j + 8) * load(b, j + 8)
            s3 += load(a, j + 12) * load(b, j + 12)
            j += 16
        }
        var total = ((s0 + s1) + (s2 + s3)).sum()
        while j < count {
            total += a[j] * b[j]
            j += 1
        }
        return total
    }

    /// The Euclidean length.
    public static func norm(_ a: [Float]) -> Float {
        dot(a, a).squareRoot()
    }
}
