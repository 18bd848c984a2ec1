import Testing

extension Tag {
    /// Tests that take tens of seconds (processes killed in loops, large models, many reloads).
    /// CI runs them with the rest; locally, `swift test --skip` their suite to iterate faster.
    @Tag static var slow: Self
}
