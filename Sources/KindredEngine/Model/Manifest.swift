import Foundation
import KindredLinearAlgebra

/// The readable description of a model, written as `manifest.json` beside the binary and also
/// stored inside it, so a model file is self-describing and the two can be checked against
/// each other on load.
public struct Manifest: Codable, Equatable, Sendable {
    /// The binary format version this manifest describes.
    public var formatVersion: Int
    /// When the model was built (UTC).
    public var createdAt: Date
    /// XXH3-128 (hex) over the indexed articles (id, title, body, url, date, section, language, tags, in
    /// corpus order): two models with equal digests were built from the same articles.
    public var corpusDigest: String
    public var articles: Int
    /// Articles none of whose terms survived document-frequency pruning; they have zero vectors,
    /// are never returned and get no related list.
    public var articlesWithoutTerms: Int
    public var terms: Int
    public var dimensions: Int
    public var parameters: ModelParameters
    /// Σσᵢ² / ‖A‖²_F: the fraction of the TF-IDF matrix's squared Frobenius norm kept by the
    /// truncated SVD (the "explained variance" of uncentred LSA).
    public var explainedVariance: Double
    /// The largest singular values (at most ten), for a quick look at the spectrum.
    public var leadingSingularValues: [Float]
    /// The BLAS the model was built with.
    public var blas: String
    /// Seconds spent in each stage of the build.
    public var stageSeconds: [String: Double]
    public var kindredVersion: String
    /// The last journal entry (sequence number) absorbed into this model, if any.
    public var journalSequence: Int?
    /// How unevenly articles appear in the precomputed lists, before and after the hub cap;
    /// nil when no lists were computed.
    public var hubness: HubnessReport?
    /// The analysis `reindex` chose from the archive's language mix for the options not given;
    /// nil when every option was given (or the model predates the choice).
    public var archiveChoice: ArchiveChoice? = nil
    /// The shared journal whose entries `journalSequence` counts (its `ChangeJournal.identity()`);
    /// nil for a model directory's own journal, and in models built before it was recorded.
    public var journal: String? = nil
    /// The semantic weight the precomputed lists were fused at (`RelatedQuery.semanticWeight`);
    /// nil when they rank on words alone.
    public var listsSemanticWeight: Float? = nil
    /// How the related lists' candidates were found by neighbour descent, and how well they agree
    /// with exact ones; nil when every pair was scored (or no lists were computed).
    public var listsDescent: ListsDescent? = nil

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    public func encoded() throws -> Data { try Self.encoder.encode(self) }

    public static func decode(_ data: Data) throws -> Manifest { try decoder.decode(Manifest.self, from: data) }
}

/// Kindred's version, recorded in every model.
public enum KindredVersion {
    public static let current = "0.1.0"
}
