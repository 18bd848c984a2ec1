import ArgumentParser
import Foundation
import KindredSources

/// `--source` and its password file, shared by `reindex` (read every article) and `serve` (sync
/// the changes between rebuilds).
struct SourceOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "A database to read articles from: postgresql://user@host:5432/db, mysql://user@host:3306/db (MariaDB too) or sqlite:///absolute/path.db.",
            discussion:
                "The password comes from the URL, --source-password-file or $\(SourceURL.passwordVariable) (PostgreSQL also reads $PGPASSWORD and ~/.pgpass); it is never printed.",
            valueName: "url"))
    var source: String?

    @Option(
        name: .customLong("source-password-file"),
        help: ArgumentHelp("A file whose first line is the source's password.", valueName: "path"))
    var passwordFile: String?

    /// The parsed URL, or nil without `--source`.
    ///
    /// - Throws: `SourceError` for a URL Kindred can't read or an unreadable password file.
    func url() throws -> SourceURL? {
        guard let source else { return nil }
        return try SourceURL(source, passwordFile: passwordFile)
    }
}
