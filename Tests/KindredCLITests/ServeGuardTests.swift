import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// What `kindred serve` refuses at start, and what it refuses from clients: absurd option values,
/// weak tokens, requests for another host, connections that never finish their headers.
@Suite("serve: guards at start and at the door")
struct ServeGuardTests {
    @Test("absurd option values and weak or empty tokens are refused at start with a usage error")
    func refusedAtStart() throws {
        let cli = CLITests()
        for (arguments, message) in [
            (["--request-timeout", "1e300"], "--request-timeout must be"),
            (["--request-timeout", "nan"], "--request-timeout must be"),
            (["--sync-interval", "1e16"], "--sync-interval must be"),
            (["--sync-overlap", "1e16"], "--sync-overlap must be"),
            (["--idle-timeout", "0"], "--idle-timeout must be"),
            (["--allowed-host", ""], "--allowed-host takes"),
        ] {
            let run = try cli.kindred(["serve", "--port", "0"] + arguments, timeout: 20)
            #expect(run.status == 64, "\(arguments): exit \(run.status)")
            #expect(run.stderr.contains(message), "\(arguments): \(run.stderr)")
        }
        for (value, message) in [("", "set but empty"), ("short", "at least 16 characters")] {
            let run = try cli.kindred(
                ["serve", "--port", "0"], environment: ["KINDRED_ADMIN_TOKEN": value], timeout: 20)
            #expect(run.status == 64 && run.stderr.contains(message), "'\(value)': \(run.stderr)")
        }
    }

    /// Sends `text` on a new connection to 127.0.0.1:`port`, waits up to `seconds` for an answer,
    /// and returns what came back ("" when the server closed the connection without a word), or
    /// nil when the connection was still open and silent at the end.
    static func raw(port: Int, _ text: String, seconds: Double) -> String? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return nil }
        _ = text.withCString { send(descriptor, $0, strlen($0), 0) }
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1e6))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        if count < 0 { return nil }
        return String(decoding: buffer.prefix(count), as: UTF8.self)
    }

    @Test(
        "a Host other than the server's is refused (421), the console forbids framing, and a connection that never finishes its headers is closed"
    )
    func atTheDoor() async throws {
        let cli = CLITests()
        let port = Int.random(in: 20_000..<40_000)
        let (process, ready) = try await cli.startServer(port: port, ["--idle-timeout", "1"])
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        #expect(ready?.status == 200)
        let rebound = Self.raw(port: port, "GET /v1/status HTTP/1.1\r\nHost: evil.example\r\n\r\n", seconds: 5)
        #expect(rebound?.hasPrefix("HTTP/1.1 421") == true, "\(String(describing: rebound))")
        let local = Self.raw(port: port, "GET /readyz HTTP/1.1\r\nHost: localhost:\(port)\r\n\r\n", seconds: 5)
        #expect(local?.hasPrefix("HTTP/1.1 200") == true, "\(String(describing: local))")
        let console = Self.raw(port: port, "GET / HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n", seconds: 5) ?? ""
        #expect(console.lowercased().contains("content-security-policy: default-src 'self'; frame-ancestors 'none'"))
        #expect(console.lowercased().contains("x-frame-options: deny"))
        // Half a request line, then nothing: closed after the idle timeout, well before 5 s.
        let started = ContinuousClock.now
        let slow = Self.raw(port: port, "GET /v1/status HTTP/1.1\r\nHo", seconds: 5)
        #expect(slow == "", "the slow connection was not closed: \(String(describing: slow))")
        #expect(ContinuousClock.now - started < .seconds(4))
    }
}
