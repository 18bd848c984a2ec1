import Foundation

/// Blocking I/O (database client libraries) run off the cooperative thread pool that answers
/// requests: on a two-core machine one blocked pool thread is half the server.
enum Blocking {
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try work() }) }
            thread.name = "kindred-io"
            thread.start()
        }
    }
}
