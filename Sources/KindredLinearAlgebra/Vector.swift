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
        var sum: Float = 0
        for i in a.indices { sum += a[i] * b[i] }
        return sum
    }

    /// The Euclidean length.
    public static func norm(_ a: [Float]) -> Float {
        dot(a, a).squareRoot()
    }
}
