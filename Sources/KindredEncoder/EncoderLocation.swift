import Foundation

/// Where a command finds its sentence encoder: `--encoder DIR`, else `$KINDRED_ENCODER`, else
/// `models/encoders/all-MiniLM-L6-v2` under the working directory (where scripts/fetch-encoder.sh
/// unpacks it). Only the first two are promises: a folder named there must load, while the
/// default may be absent, and then Kindred runs on words alone.
public struct EncoderLocation: Sendable, Equatable {
    public enum Origin: Sendable, Equatable {
        case option, environment, defaultFolder
    }

    /// The default folder, relative to the working directory.
    public static let defaultFolder = "models/encoders/all-MiniLM-L6-v2"
    /// The environment variable that names an encoder folder.
    public static let environmentVariable = "KINDRED_ENCODER"

    public let path: String
    public let origin: Origin

    public init(option: String?, environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let option, !option.isEmpty {
            (path, origin) = (option, .option)
        } else if let named = environment[Self.environmentVariable], !named.isEmpty {
            (path, origin) = (named, .environment)
        } else {
            (path, origin) = (Self.defaultFolder, .defaultFolder)
        }
    }

    /// Whether the folder is there at all (a default that isn't means "no encoder", not an error).
    public var exists: Bool { FileManager.default.fileExists(atPath: path) }

    /// How the user names this folder: `--encoder x`, `$KINDRED_ENCODER (x)` or the default path.
    public var described: String {
        switch origin {
        case .option: "--encoder \(path)"
        case .environment: "$\(Self.environmentVariable) (\(path))"
        case .defaultFolder: path
        }
    }

    /// How to get an encoder where there is none: the sentence the docs, `inspect` and the
    /// start-up log end "semantic: off" with.
    public static let howToTurnOn =
        "run scripts/fetch-encoder.sh, or pass --encoder DIR or set $KINDRED_ENCODER to a folder with config.json, vocab.txt and model.safetensors"
}

extension SentenceEncoder {
    /// What the encoder reads of an article: its title, a line break, its body as text (HTML
    /// already reduced), cut later at the word-piece limit. The title comes first because the
    /// limit keeps the start, and a headline names the story.
    public static func input(title: String, body: String) -> String { title + "\n" + body }
}
