import Hummingbird

/// Answers 503 when a request takes longer than the configured time.
///
/// The handler races a timer in a task group; when the timer wins, the handler's task is
/// cancelled, which stops it at its next suspension point (a slow client's body upload, for one).
/// CPU-bound work is bounded by the other limits (body size, k, query terms) and finishes before
/// the 503 goes out.
struct DeadlineMiddleware<Context: RequestContext>: RouterMiddleware {
    let seconds: Double

    /// Lets the non-escaping, non-`Sendable` `next` closure run in a child task: the group is
    /// awaited before `handle` returns, so nothing outlives the call.
    struct Unchecked<Value>: @unchecked Sendable {
        let value: Value
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let limit = seconds
        let path = request.uri.path
        return try await withoutActuallyEscaping(next) { next in
            let call = Unchecked(value: (next, request, context))
            return try await withThrowingTaskGroup(of: Unchecked<Response>?.self) { group in
                group.addTask { Unchecked(value: try await call.value.0(call.value.1, call.value.2)) }
                group.addTask {
                    try await Task.sleep(for: .seconds(limit))
                    return nil
                }
                defer { group.cancelAll() }
                do {
                    if let response = try await group.next() ?? nil { return response.value }
                } catch is CancellationError {}
                throw Problem(
                    .serviceUnavailable,
                    "\(path) took longer than the server's limit of \(limit) s; retry, or ask for less",
                    title: "Request timed out")
            }
        }
    }
}
