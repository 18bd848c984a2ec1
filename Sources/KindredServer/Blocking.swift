import Foundation
import NIOPosix

/// Blocking I/O (database client libraries) run off the cooperative thread pool that answers
/// requests: on a two-core machine one blocked pool thread is half the server.
enum Blocking {
    /// A short call (one round trip to a database): on NIO's shared blocking pool, whose threads
    /// are kept, so a call costs a hand-off rather than a thread's creation.
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(work)
    }

    /// A call that may wait for long (a LISTEN, a sync's read, a model load): on a thread of its
    /// own, so that it never holds one of the pool's few threads.
    static func runLong<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try work() }) }
            thread.name = "kindred-io"
            thread.start()
        }
    }
}
