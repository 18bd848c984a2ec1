import Foundation

/// The files a model directory keeps beside its versions, and survive every reindex: the journal
/// (`journal.jsonl`), the editorial overrides (`overrides.json`), the sync's state
/// (`sync-state.json`) and the reindex lock. Callers name the directory; it knows its files.
extension ModelDirectory {
    /// The directory's own journal: `journal.jsonl` and `overrides.json`.
    public func journal() -> FileJournal { FileJournal(directory: self) }

    /// The path of a file kept beside the versions (`Journal.fileName`, `OverridesFile.fileName`,
    /// `SyncState.fileName`).
    public func file(_ name: String) -> String { join(path, name) }

    /// The editorial overrides stored here; none when there is no file.
    ///
    /// - Throws: `ModelFileError` naming the file when it can't be read or is not valid.
    public func overrides() throws -> EditorialOverrides { try OverridesFile.load(directory: path) }

    /// Applies `change` to the stored overrides and writes them durably, under the file's lock, so
    /// that a server and `kindred overrides` never lose each other's edits.
    ///
    /// - Returns: the overrides as written.
    @discardableResult
    public func updateOverrides(_ change: (inout EditorialOverrides) throws -> Void) throws -> EditorialOverrides {
        try OverridesFile.update(directory: path, change)
    }

    /// How far a server's sync has read its source; nil before the first sync.
    ///
    /// - Throws: `ModelFileError` for a file that can't be read.
    public func syncState() throws -> SyncState? { try SyncState.read(directory: path) }

    /// Stores the sync's state durably.
    public func write(_ state: SyncState) throws { try state.write(directory: path) }
}
