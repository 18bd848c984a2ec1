/// The one check of an editor's pins and blocks before they are stored, for the command line and
/// the server alike: each words the refusal for its users.
extension LiveIndex {
    /// Why this index refuses an overrides entry whose shape is valid.
    public enum OverridesRefusal: Error, Equatable {
        /// The article whose list would be steered is not in the index.
        case unknownArticle(String)
        /// A pinned article is not in the index (a block of an unknown id is kept: it may be
        /// published later and must stay out).
        case unknownPin(String)
    }

    /// Checks `entry` for article `id`: its shape (`EditorialOverrides.validate`), then that the
    /// article and every pinned one are in this index.
    ///
    /// - Throws: `EngineError` for the shape, then `OverridesRefusal`.
    public func check(_ entry: EditorialOverrides.Entry, for id: String) throws {
        try EditorialOverrides.validate(entry, for: id)
        guard metadata(of: id) != nil else { throw OverridesRefusal.unknownArticle(id) }
        if let unknown = entry.pinned.first(where: { metadata(of: $0) == nil }) {
            throw OverridesRefusal.unknownPin(unknown)
        }
    }
}
