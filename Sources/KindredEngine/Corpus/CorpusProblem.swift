/// One line of a corpus that could not be indexed, and why.
public struct CorpusProblem: Sendable, Equatable, CustomStringConvertible {
    public let file: String
    /// 1-based.
    public let line: Int
    public let reason: String

    public init(file: String, line: Int, reason: String) {
        (self.file, self.line, self.reason) = (file, line, reason)
    }

    public var description: String { "\(file):\(line): \(reason)" }
}

/// Why a corpus could not be read at all (as opposed to lines that were invalid).
public struct CorpusError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String

    public var description: String { "\(path): \(reason)" }
}
