import CDNNL
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// `Int8Product` on oneDNN's matrix multiply (Debian's `libdnnl`): the engine on CPUs with int8
/// dot-product instructions (AVX-512 VNNI, AVX-VNNI, AMX), where it runs several times as fast as
/// OpenBLAS's `sgemm` (docs/performance.md, *Exact search*).
///
/// Not used without VNNI: oneDNN 2.6's s8 × s8 product on AVX2 (`gemm:jit`) shifts the source to
/// unsigned and forms 16-bit pair sums with `vpmaddubsw`, which saturate, so its products are not
/// the integer dot products; it is also slow for single queries.
///
/// The rows are split into column blocks of `blockWidth`, each reordered once into the layout the
/// multiply prefers. Calls may run concurrently: every call brings its own stream, scratchpad and
/// memory objects, and the shared primitives and reordered weights are read-only.
final class OneDNNInt8Product: @unchecked Sendable {
    // @unchecked: the oneDNN handles below are C pointers. The engine and primitives are safe to
    // execute from several threads (scratchpads are per call, `dnnl_scratchpad_mode_user`); the
    // weight memories are written once, in `init`, and only read afterwards.
    let rows: Int
    let columns: Int
    let blockWidth: Int
    /// The implementation oneDNN chose for 256 query rows against a full block, e.g.
    /// `brg:avx512_core_vnni`: what logs and benchmarks report next to the BLAS kernel.
    let implementation: String
    /// The implementation a single query (a draft) runs on, e.g. `brg:avx512_core_vnni`.
    let singleQueryImplementation: String
    private let engine: dnnl_engine_t
    private let weightDescriptor: [dnnl_memory_desc_t]
    private let weights: [dnnl_memory_t]
    private let primitives = Mutex<[Shape: Primitive]>([:])

    private struct Shape: Hashable {
        var queries: Int
        var width: Int
    }

    private final class Primitive: @unchecked Sendable {
        let handle: dnnl_primitive_t
        let scratchpad: dnnl_memory_desc_t
        let scratchpadBytes: Int
        init(handle: dnnl_primitive_t, scratchpad: dnnl_memory_desc_t) {
            self.handle = handle
            self.scratchpad = scratchpad
            var descriptor = scratchpad
            self.scratchpadBytes = dnnl_memory_desc_get_size(&descriptor)
        }
        deinit { dnnl_primitive_destroy(handle) }
    }

    /// Prepares products against `codes` (`rows × columns`, row-major).
    ///
    /// - Throws: `LinearAlgebraError` when oneDNN can't create the engine or a primitive.
    init(codes: [Int8], rows: Int, columns: Int, blockWidth: Int = 16_384) throws {
        precondition(codes.count == rows * columns, "codes hold \(codes.count) values, shape \(rows) × \(columns)")
        self.rows = rows
        self.columns = columns
        self.blockWidth = max(1, min(blockWidth, rows))
        var engine: dnnl_engine_t?
        try Self.check(dnnl_engine_create(&engine, dnnl_cpu, 0), "dnnl_engine_create")
        self.engine = engine!
        var descriptors: [dnnl_memory_desc_t] = []
        var weights: [dnnl_memory_t] = []
        // The layout oneDNN prefers for a block depends on the block's shape only; ask once per width.
        var layoutByWidth: [Int: dnnl_memory_desc_t] = [:]
        var implementation = "unknown", singleQuery = "unknown"
        for start in stride(from: 0, to: rows, by: self.blockWidth) {
            let width = min(self.blockWidth, rows - start)
            let layout: dnnl_memory_desc_t
            if let known = layoutByWidth[width] {
                layout = known
            } else {
                let chosen = try Self.layout(engine: engine!, width: width, columns: columns)
                layout = chosen.weights
                if start == 0 { (implementation, singleQuery) = (chosen.implementation, chosen.singleQuery) }
                layoutByWidth[width] = layout
            }
            var plain = try Self.descriptor([Int64(columns), Int64(width)], dnnl_s8, dnnl_ba)
            var target = layout
            var memory: dnnl_memory_t?
            try Self.check(
                dnnl_memory_create(&memory, &target, engine, UnsafeMutableRawPointer(bitPattern: -1)),
                "dnnl_memory_create")
            try codes.withUnsafeBufferPointer { source in
                var from: dnnl_memory_t?
                let raw = UnsafeMutableRawPointer(mutating: source.baseAddress! + start * columns)
                try Self.check(dnnl_memory_create(&from, &plain, engine, raw), "dnnl_memory_create")
                defer { dnnl_memory_destroy(from) }
                var reorderDescriptor: dnnl_primitive_desc_t?
                try Self.check(
                    dnnl_reorder_primitive_desc_create(&reorderDescriptor, &plain, engine, &target, engine, nil),
                    "dnnl_reorder_primitive_desc_create")
                defer { dnnl_primitive_desc_destroy(reorderDescriptor) }
                var reorder: dnnl_primitive_t?
                try Self.check(dnnl_primitive_create(&reorder, reorderDescriptor), "dnnl_primitive_create")
                defer { dnnl_primitive_destroy(reorder) }
                try Self.execute(
                    reorder!, engine: engine!,
                    arguments: [
                        dnnl_exec_arg_t(arg: DNNL_ARG_FROM, memory: from),
                        dnnl_exec_arg_t(arg: DNNL_ARG_TO, memory: memory),
                    ])
            }
            descriptors.append(target)
            weights.append(memory!)
        }
        self.weightDescriptor = descriptors
        self.weights = weights
        self.implementation = implementation
        self.singleQueryImplementation = singleQuery
    }

    deinit {
        for memory in weights { dnnl_memory_destroy(memory) }
        dnnl_engine_destroy(engine)
    }

    /// The number of column blocks.
    var blockCount: Int { weights.count }

    /// The rows of column block `block`.
    func blockRange(_ block: Int) -> Range<Int> {
        (block * blockWidth)..<min(rows, (block + 1) * blockWidth)
    }

    /// Writes the dot products of `queries` (`count × columns` int8, row-major) with the rows of
    /// column block `block` to `output` (`count × blockRange(block).count` floats, row-major).
    ///
    /// - Parameter threads: threads for this call (oneDNN's OpenMP team); a single query is
    ///   memory-bound, so a server passes 1 and lets concurrent requests use the cores.
    /// - Throws: `LinearAlgebraError` when oneDNN fails.
    func multiply(
        queries: UnsafePointer<Int8>, count: Int, block: Int, into output: UnsafeMutablePointer<Float>, threads: Int
    ) throws {
        try multiplyEachBlock(
            queries: queries, count: count, blocks: block..<(block + 1), into: output, threads: threads
        ) { _ in }
    }

    /// `multiply` against each of `blocks` (all of them by default) in turn, `body(block)` called
    /// after each with `output` holding that block's dot products (`count ×
    /// blockRange(block).count` floats): one stream, one scratchpad and one set of memory objects
    /// for all of them, where separate calls set up their own each time (a single query against
    /// Debian's 16 blocks spent a sixth of its time there).
    ///
    /// - Throws: `LinearAlgebraError` when oneDNN fails, or what `body` throws.
    ///
    /// Over 60 lines on purpose: every oneDNN handle is created here and released by a `defer` in
    /// this one scope, so each lifetime is visible at a glance; split up, the pieces would pass
    /// handles and their clean-up back and forth.
    func multiplyEachBlock(
        queries: UnsafePointer<Int8>, count: Int, blocks: Range<Int>? = nil, into output: UnsafeMutablePointer<Float>,
        threads: Int, _ body: (Int) throws -> Void
    ) throws {
        let blocks = blocks ?? 0..<blockCount
        guard count > 0, !blocks.isEmpty else { return }
        OpenMP.setThreads(threads)
        // Blocks have at most two widths (the last one may be narrower): a primitive and an
        // output memory object for each.
        var primitives: [Int: Primitive] = [:]
        for block in blocks {
            let width = blockRange(block).count
            if primitives[width] == nil {
                primitives[width] = try primitive(queries: count, width: width, block: block)
            }
        }
        let scratchBytes = primitives.values.map(\.scratchpadBytes).max() ?? 0
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: max(64, scratchBytes), alignment: 64)
        defer { scratch.deallocate() }
        var stream: dnnl_stream_t?
        try Self.check(
            dnnl_stream_create(&stream, engine, UInt32(dnnl_stream_default_flags.rawValue)), "dnnl_stream_create")
        defer { dnnl_stream_destroy(stream) }
        var source = try Self.descriptor([Int64(count), Int64(columns)], dnnl_s8, dnnl_ab)
        var src: dnnl_memory_t?
        try Self.check(
            dnnl_memory_create(&src, &source, engine, UnsafeMutableRawPointer(mutating: queries)), "dnnl_memory_create")
        defer { dnnl_memory_destroy(src) }
        var outputs: [Int: (dst: dnnl_memory_t, pad: dnnl_memory_t)] = [:]
        defer {
            for memory in outputs.values {
                dnnl_memory_destroy(memory.dst)
                dnnl_memory_destroy(memory.pad)
            }
        }
        for (width, primitive) in primitives {
            var destination = try Self.descriptor([Int64(count), Int64(width)], dnnl_f32, dnnl_ab)
            var scratchDescriptor = primitive.scratchpad
            var dst: dnnl_memory_t?, pad: dnnl_memory_t?
            try Self.check(dnnl_memory_create(&dst, &destination, engine, output), "dnnl_memory_create")
            let status = dnnl_memory_create(&pad, &scratchDescriptor, engine, scratch)
            guard status == dnnl_success else {
                dnnl_memory_destroy(dst)
                try Self.check(status, "dnnl_memory_create")
                return
            }
            outputs[width] = (dst!, pad!)
        }
        for block in blocks {
            let width = blockRange(block).count
            let memory = outputs[width]!
            let arguments = [
                dnnl_exec_arg_t(arg: DNNL_ARG_SRC, memory: src),
                dnnl_exec_arg_t(arg: DNNL_ARG_WEIGHTS, memory: weights[block]),
                dnnl_exec_arg_t(arg: DNNL_ARG_DST, memory: memory.dst),
                dnnl_exec_arg_t(arg: DNNL_ARG_SCRATCHPAD, memory: memory.pad),
            ]
            try Self.check(
                dnnl_primitive_execute(primitives[width]!.handle, stream, Int32(arguments.count), arguments),
                "dnnl_primitive_execute")
            try Self.check(dnnl_stream_wait(stream), "dnnl_stream_wait")
            try body(block)
        }
    }

    private func primitive(queries: Int, width: Int, block: Int) throws -> Primitive {
        let shape = Shape(queries: queries, width: width)
        if let known = primitives.withLock({ $0[shape] }) { return known }
        let made = try Self.makePrimitive(
            engine: engine, queries: queries, width: width, columns: columns, weights: weightDescriptor[block])
        let primitive = Primitive(handle: made.primitive, scratchpad: made.scratchpad)
        return primitives.withLock { cache in
            if let raced = cache[shape] { return raced }
            // Query shapes vary with the number of rows left in the last block; keep the cache small.
            if cache.count > 64 { cache.removeAll() }
            cache[shape] = primitive
            return primitive
        }
    }

    /// The weights' layout for blocks of `width` rows, and the implementation slices of rows run
    /// on with it.
    ///
    /// The layout oneDNN prefers for a slice of 256 queries (the all-pairs search's shape), unless
    /// a single query (a draft, a by-id fallback) would then fall to oneDNN's reference code:
    /// on AMX (Intel Xeon family 6 model 207, oneDNN 2.6.3) the slice layout is AMX's, and a
    /// one-row product against it runs `ref_int8`, hundreds of times slower than the VNNI kernel.
    /// Then the layout a single query prefers serves both shapes (slices on
    /// `brg:avx512_core_vnni`, a little slower for the all-pairs stage).
    private static func layout(
        engine: dnnl_engine_t, width: Int, columns: Int
    ) throws -> (weights: dnnl_memory_desc_t, implementation: String, singleQuery: String) {
        let slices = try makePrimitive(engine: engine, queries: 256, width: width, columns: columns, weights: nil)
        dnnl_primitive_destroy(slices.primitive)
        let single = try makePrimitive(
            engine: engine, queries: 1, width: width, columns: columns, weights: slices.weights)
        dnnl_primitive_destroy(single.primitive)
        guard single.implementation.hasPrefix("ref") else {
            return (slices.weights, slices.implementation, single.implementation)
        }
        let preferred = try makePrimitive(engine: engine, queries: 1, width: width, columns: columns, weights: nil)
        dnnl_primitive_destroy(preferred.primitive)
        let both = try makePrimitive(
            engine: engine, queries: 256, width: width, columns: columns, weights: preferred.weights)
        dnnl_primitive_destroy(both.primitive)
        return (preferred.weights, both.implementation, preferred.implementation)
    }

    private struct Made {
        var primitive: dnnl_primitive_t
        var weights: dnnl_memory_desc_t
        var scratchpad: dnnl_memory_desc_t
        var implementation: String
    }

    /// A matmul primitive for `queries × columns` s8 times `columns × width` s8 into f32; weights
    /// in `weights`' layout, or the layout oneDNN prefers when nil.
    private static func makePrimitive(
        engine: dnnl_engine_t, queries: Int, width: Int, columns: Int, weights: dnnl_memory_desc_t?
    ) throws -> Made {
        var source = try descriptor([Int64(queries), Int64(columns)], dnnl_s8, dnnl_ab)
        var weightDescriptor = try weights ?? descriptor([Int64(columns), Int64(width)], dnnl_s8, dnnl_format_tag_any)
        var destination = try descriptor([Int64(queries), Int64(width)], dnnl_f32, dnnl_ab)
        var operation = dnnl_matmul_desc_t()
        try check(
            dnnl_matmul_desc_init(&operation, &source, &weightDescriptor, nil, &destination), "dnnl_matmul_desc_init")
        var attributes: dnnl_primitive_attr_t?
        try check(dnnl_primitive_attr_create(&attributes), "dnnl_primitive_attr_create")
        defer { dnnl_primitive_attr_destroy(attributes) }
        try check(
            dnnl_primitive_attr_set_scratchpad_mode(attributes, dnnl_scratchpad_mode_user),
            "dnnl_primitive_attr_set_scratchpad_mode")
        var descriptor: dnnl_primitive_desc_t?
        try check(
            dnnl_primitive_desc_create(&descriptor, &operation, attributes, engine, nil), "dnnl_primitive_desc_create")
        defer { dnnl_primitive_desc_destroy(descriptor) }
        var implementation: UnsafePointer<CChar>?
        dnnl_primitive_desc_query(descriptor, dnnl_query_impl_info_str, 0, &implementation)
        let chosenWeights = dnnl_primitive_desc_query_md(descriptor, dnnl_query_weights_md, 0)!.pointee
        let scratchpad = dnnl_primitive_desc_query_md(descriptor, dnnl_query_scratchpad_md, 0)!.pointee
        var primitive: dnnl_primitive_t?
        try check(dnnl_primitive_create(&primitive, descriptor), "dnnl_primitive_create")
        return Made(
            primitive: primitive!, weights: chosenWeights, scratchpad: scratchpad,
            implementation: implementation.map { String(cString: $0) } ?? "unknown")
    }

    private static func descriptor(_ dims: [Int64], _ type: dnnl_data_type_t, _ tag: dnnl_format_tag_t) throws
        -> dnnl_memory_desc_t
    {
        var descriptor = dnnl_memory_desc_t()
        try check(
            dnnl_memory_desc_init_by_tag(&descriptor, Int32(dims.count), dims, type, tag),
            "dnnl_memory_desc_init_by_tag")
        return descriptor
    }

    private static func execute(_ primitive: dnnl_primitive_t, engine: dnnl_engine_t, arguments: [dnnl_exec_arg_t])
        throws
    {
        var stream: dnnl_stream_t?
        try check(dnnl_stream_create(&stream, engine, UInt32(dnnl_stream_default_flags.rawValue)), "dnnl_stream_create")
        defer { dnnl_stream_destroy(stream) }
        try check(
            dnnl_primitive_execute(primitive, stream, Int32(arguments.count), arguments), "dnnl_primitive_execute")
        try check(dnnl_stream_wait(stream), "dnnl_stream_wait")
    }

    private static func check(_ status: dnnl_status_t, _ routine: String) throws {
        guard status != dnnl_success else { return }
        throw LinearAlgebraError(
            routine: routine, info: Int32(bitPattern: status.rawValue),
            reason: "oneDNN returned status \(status.rawValue) (see dnnl_status_t in dnnl_types.h)")
    }
}

/// The OpenMP runtime oneDNN runs on, found at run time: its team size is a per-thread setting,
/// and `omp.h` is not on Swift's include path.
enum OpenMP {
    private typealias SetThreads = @convention(c) (Int32) -> Void
    nonisolated(unsafe) private static let setNumThreads: SetThreads? = {
        #if canImport(Glibc)
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "omp_set_num_threads") else { return nil }
            return unsafeBitCast(symbol, to: SetThreads.self)
        #else
            return nil
        #endif
    }()

    /// Sets the calling thread's team size for the next parallel regions.
    static func setThreads(_ count: Int) {
        setNumThreads?(Int32(max(1, count)))
    }
}
