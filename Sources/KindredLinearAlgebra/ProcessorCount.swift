import Foundation

/// How many threads Kindred's own parallel loops use.
public enum ProcessorCount {
    /// The active processor count, at least 1.
    public static var active: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
}
