import ArgumentParser
import KindredEncoder
import KindredEngine

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

    /// The encoder that embeds drafts: `--encoder` or `$KINDRED_ENCODER`, or the default folder
    /// when it is there and the model has the channel (a model on words alone never needs it; a
    /// server loads it at the reload that brings a model with the channel). One that is not the
    /// encoder of the model's vectors is refused: their cosines would mean nothing.
    func draftEncoder(for model: Model) throws -> SentenceEncoder? {
        let location = self.location
        guard location.origin != .defaultFolder || (location.exists && model.semantic != nil) else { return nil }
        let encoder = try load()
        if let semantic = model.semantic, !encoder.identity.matches(semantic.encoder) {
            throw CLIError(
                "the encoder at \(location.described) (\(encoder.identity)) is not the one the model's vectors came from (\(semantic.encoder)); pass --encoder naming that one, or rebuild the model with this one"
            )
        }
        return encoder
    }

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
