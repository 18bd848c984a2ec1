import Foundation
import Testing

/// `serve --access-log`: a line per request when asked, none by default (the metrics count and
/// time every request either way).
extension CLITests {
    @Test("the access log is off by default and logs each request with --access-log")
    func accessLog() async throws {
        for on in [false, true] {
            let directory = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let port = Int.random(in: 20_000..<40_000)
            let base = "http://127.0.0.1:\(port)"
            let server = try start(
                ["serve", "--port", "\(port)", "--log-level", "info"] + (on ? ["--access-log"] : []), logs: directory)
            defer { if server.isRunning { sigkill(server) } }
            #expect(try await waitUntilReady(base, server))
            #expect(await get(base + "/v1/articles/xiaomi-17-ultra-launch/related?k=3")?.status == 200)
            #expect(await get(base + "/metrics")?.body.contains("/v1/articles/{id}/related") == true)
            sigkill(server)
            let log = try String(contentsOfFile: directory + "/stderr", encoding: .utf8)
            let lines = log.split(separator: "\n").filter {
                $0.contains("path=/v1/articles/xiaomi-17-ultra-launch/related")
            }
            #expect(lines.count == (on ? 1 : 0), "access log \(on ? "on" : "off"): \(log)")
            if on {
                #expect(lines.first?.contains("status=200") == true && lines.first?.contains("latency_ms=") == true)
            }
        }
    }
}
