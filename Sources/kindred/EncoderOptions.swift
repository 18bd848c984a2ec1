import ArgumentParser
import KindredEncoder

/// `--encoder` and `--encoder-max-tokens`, shared by the commands that embed text.
struct EncoderOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The sentence encoder's folder (config.json, vocab.txt, model.safetensors); default $KINDRED_ENCODER.",
            valueName: "dir"))
    var encoder: String?

    @Option(
        help: ArgumentHelp(
            "Word pieces the encoder reads of each text, [CLS] and [SEP] included (8 to 512).", valueName: "n"))
    var encoderMaxTokens: Int = SentenceEncoder.defaultMaxTokens

    var location: EncoderLocation { EncoderLocation(option: encoder) }

    /// The encoder, which must be there (for `embed`).
    func load() throws -> SentenceEncoder {
        let location = location
        guard location.exists else {
            throw CLIError("no sentence encoder at \(location.described): \(EncoderLocation.howToTurnOn)")
        }
        let encoder: SentenceEncoder
        do { encoder = try SentenceEncoder(directory: location.path) } catch { throw CLIError(error.message) }
        do { try encoder.checkMaxTokens(encoderMaxTokens) } catch {
            throw ValidationError(
                error.message.replacingOccurrences(of: "the encoder's word-piece limit", with: "--encoder-max-tokens"))
        }
        return encoder
    }
}
