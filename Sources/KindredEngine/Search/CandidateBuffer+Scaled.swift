extension CandidateBuffer {
    /// Offers rows `offset..<offset + count` by `dots[j] · scales[j]`, sixteen at a time: a group
    /// none of whose scores beats the threshold (nearly all of them, once the buffer has filled)
    /// costs four vector multiplies and compares.
    @inline(__always)
    mutating func offer(
        dots: UnsafePointer<Float>, scales: UnsafePointer<Float>, count: Int, offset: Int, admits: (Int) -> Bool
    ) {
        // SIMD4 maps onto one SSE register on every x86-64; wider Swift SIMD types spill here.
        @inline(__always) func load(_ base: UnsafePointer<Float>, _ at: Int) -> SIMD4<Float> {
            UnsafeRawPointer(base + at).loadUnaligned(as: SIMD4<Float>.self)
        }
        var j = 0
        while j + 16 <= count {
            let limit = SIMD4<Float>(repeating: threshold)
            let a = load(dots, j) * load(scales, j), b = load(dots, j + 4) * load(scales, j + 4)
            let c = load(dots, j + 8) * load(scales, j + 8), d = load(dots, j + 12) * load(scales, j + 12)
            if any((a .> limit) .| (b .> limit) .| (c .> limit) .| (d .> limit)) {
                // Early in a scan the threshold is low and most groups have a lane above it: look
                // only at the quarters that do.
                offerLanes(a, from: offset + j, admits: admits)
                offerLanes(b, from: offset + j + 4, admits: admits)
                offerLanes(c, from: offset + j + 8, admits: admits)
                offerLanes(d, from: offset + j + 12, admits: admits)
            }
            j += 16
        }
        while j < count {
            let score = dots[j] * scales[j]
            if score > threshold && admits(offset + j) { offer(index: offset + j, score: score) }
            j += 1
        }
    }

    /// Offers the four rows from `first` whose scores beat the threshold and that `admits`.
    @inline(__always)
    private mutating func offerLanes(_ scores: SIMD4<Float>, from first: Int, admits: (Int) -> Bool) {
        guard any(scores .> SIMD4(repeating: threshold)) else { return }
        for lane in 0..<4 where scores[lane] > threshold && admits(first + lane) {
            offer(index: first + lane, score: scores[lane])
        }
    }
}
