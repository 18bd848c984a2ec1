/// Why a sentence encoder could not be loaded, worded so the reader knows what to do next.
///
/// Every failure names the directory and the file at fault. Loading never half-succeeds: an
/// encoder that throws leaves nothing behind, and a model built or served without one works as
/// it does without the semantic channel.
public struct EncoderError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// A file the encoder needs is not there.
        case missingFile
        /// A file is there but can't be read as what it should be (truncated, damaged, wrong format).
        case corruptFile
        /// `config.json` describes a model this encoder doesn't run.
        case unsupportedArchitecture
        /// `vocab.txt` and the weights disagree (size, special tokens).
        case vocabularyMismatch
        /// The files are not the ones a model or a recorded checksum names.
        case checksumMismatch
        /// An option's value is outside what the encoder accepts.
        case invalidOption
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
