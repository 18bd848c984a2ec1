import Foundation

/// A reindex's steps around the build, for the nightly `kindred reindex` and for anything else
/// that rebuilds a model (a scheduler, a server): lock, absorb the journal, build, publish,
/// announce and prune, record the sync's first watermark. Reading the archive is the caller's
/// (a corpus, a database): it happens between `init` (the lock) and `absorb`.
///
/// Every step leaves the served model as it was until `publish` renames the new version into
/// place; a reindex that fails or is killed before that changes nothing a server sees.
public struct Reindexing {
    public let directory: ModelDirectory
    /// The journal whose writes are absorbed and where the new version is announced; nil ignores
    /// the journal (`--no-journal`).
    public let journal: ChangeJournal?
    /// Versions kept in the directory (and, on a shared journal, announcements kept).
    public let keep: Int
    /// Where to say what happened (one line each).
    let say: (String) -> Void
    private let lock: AnyObject

    /// Takes the reindex lock (the journal's, else the directory's own): one reindex publishes at
    /// a time. On a shared journal it also refuses a directory that holds no version the journal
    /// announced (`checkDirectory`).
    ///
    /// - Throws: the lock's error when another reindex holds it; `ReindexError` for a directory
    ///   that is not the replicas'.
    public init(directory: ModelDirectory, journal: ChangeJournal?, keep: Int, say: @escaping (String) -> Void) throws {
        self.directory = directory
        self.journal = journal
        self.keep = max(1, keep)
        self.say = say
        lock = try (journal ?? directory.journal()).lockForReindex()
        if let journal { try Self.checkDirectory(directory, journal: journal) }
    }

    /// A reindex refused before it changed anything.
    public struct ReindexError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Refuses a model directory that holds no version of this journal: publishing from another
    /// directory would announce a model the replicas can't find, and pruning by that directory's
    /// versions would drop entries they still replay. A version is the journal's when its manifest
    /// names it, or (built before manifests did) when it is among the last announced there. A
    /// directory rolled back (its newest version moved out) still holds older ones; one whose
    /// announcements were not recorded (the database away at that moment) holds versions that
    /// name the journal.
    static func checkDirectory(_ directory: ModelDirectory, journal: ChangeJournal) throws {
        let published = try journal.recentlyPublished(limit: 20)
        guard let newest = published.first, let identity = try journal.identity() else { return }
        let versions = Set(directory.versions())
        guard published.contains(where: versions.contains) || directory.journalIdentities().contains(identity) else {
            throw ReindexError(
                description:
                    "\(journal.name) was last published as model \(newest), and \(directory.path) doesn't hold it or any version published before it: "
                    + "point --model at the directory the replicas serve; nothing was changed")
        }
    }

    /// Applies the journal's writes to the archive's articles, returning the last sequence
    /// absorbed (what the new model records; writes committed later are replayed on top of it),
    /// nil when there was none.
    public func absorb(into articles: inout [Article]) throws -> Int? {
        guard let journal else { return nil }
        let read = try journal.entries(after: 0)
        for problem in read.skipped { say("warning: \(journal.name): \(problem); skipped") }
        guard let last = read.entries.map(\.sequence).max() else { return read.last }
        articles = Journal.apply(read.entries, to: articles)
        say(
            "journal: applied \(read.entries.count) change(s) from \(journal.name) (up to entry \(last)); \(articles.count) articles"
        )
        return [last, read.last].compactMap { $0 }.max()
    }

    /// The builder's record of the journal the model absorbs (`ModelBuilder.journalIdentity`).
    public func journalIdentity() throws -> String? { try journal?.identity() }

    /// Publishes `model` as the directory's newest version (`ModelDirectory.publish`), announces it
    /// on the journal, which prunes what no kept version needs, and writes the sync's first
    /// watermark (`sourceClock`, the database's clock when the read began) unless there is one.
    ///
    /// - Returns: the new version's directory.
    public func publish(_ model: Model, sourceClock: Date?) throws -> String {
        let published = try directory.publish(model, keep: keep)
        if let journal {
            let version = (published as NSString).lastPathComponent
            try journal.announce(
                published: version, absorbed: model.manifest.journalSequence ?? 0,
                floor: directory.lowestAbsorbedJournalSequence(), keep: keep)
            if journal.isShared {
                say("journal: published \(version) in \(journal.name); replicas switch to it within a second")
            }
        }
        if let sourceClock, try directory.syncState() == nil {
            try directory.write(SyncState(watermark: sourceClock))
            say("sync: a server's --sync-query will read changes from \(RFC3339.format(sourceClock))")
        }
        return published
    }
}
