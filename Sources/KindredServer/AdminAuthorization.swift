import Hummingbird

/// Checks `Authorization: Bearer <token>` on the routes that change state, when a token is set.
///
/// The comparison takes the same time whatever the first differing byte, so the token can't be
/// guessed byte by byte from response times.
struct AdminAuthorization: Sendable {
    let token: String?

    func check(_ request: Request) throws {
        guard let token else { return }
        let header = request.headers[.authorization] ?? ""
        let prefix = "Bearer "
        guard header.hasPrefix(prefix),
            Self.constantTimeEqual(Array(header.utf8.dropFirst(prefix.utf8.count)), Array(token.utf8))
        else {
            throw Problem(
                .unauthorized,
                header.isEmpty
                    ? "this route changes the index: send 'Authorization: Bearer <admin token>'"
                    : "the admin token is wrong",
                title: "Unauthorized")
        }
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for i in 0..<max(a.count, b.count) {
            difference |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return difference == 0
    }
}
