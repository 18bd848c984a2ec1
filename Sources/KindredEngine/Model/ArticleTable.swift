import Foundation

/// The articles' metadata, packed: every string's UTF-8 bytes in one buffer, found by offsets,
/// instead of an `ArticleMetadata` of five `String`s an article.
///
/// Why: a model holds its archive's metadata from the build's first stage to the server's last
/// request. As structs, each article took 104 bytes and a heap block for every string too long
/// to be stored inline; packed, it takes its text and 57 bytes, and a large reindex peaks lower
/// in every stage from the vocabulary on (docs/performance.md, *Memory*).
///
/// `self[row]` makes an article's `ArticleMetadata` (its strings are made then); filters read the
/// one field they need (`hasSection(_:equalTo:)`, `publishedAt(of:)`) without making the others.
public struct ArticleTable: Sendable, Equatable, RandomAccessCollection {
    /// Every field's bytes, article by article: id, title, URL, section, language, then its tags.
    private var bytes: [UInt8] = []
    /// Where each field starts in `bytes`, and where the last one ends.
    private var fieldStarts: [Int] = [0]
    /// Each article's first field in `fieldStarts`, and one past the last article's fields.
    private var firstFields: [Int] = [0]
    /// Per article: `hasURL`, `hasSection` and `hasDate` bits (an absent field is stored empty,
    /// an absent date as 0).
    private var presence: [UInt8] = []
    /// Per article, its publication time as `timeIntervalSinceReferenceDate` (`Date`'s own
    /// value, so a date comes back to the bit).
    private var published: [Double] = []

    private static let hasURL: UInt8 = 1, hasSection: UInt8 = 2, hasDate: UInt8 = 4
    /// The fields every article has before its tags.
    private enum Field: Int { case id, title, url, section, language }
    static let fixedFields = 5

    public init() {}

    /// The table of `articles`, its arrays sized exactly (a second pass counts them first).
    public init(_ articles: some Collection<ArticleMetadata>) {
        var (byteCount, fieldCount) = (0, 0)
        for article in articles {
            byteCount += article.id.utf8.count + article.title.utf8.count + (article.url?.utf8.count ?? 0)
            byteCount += (article.section?.utf8.count ?? 0) + article.language.utf8.count
            byteCount += article.tags.reduce(0) { $0 + $1.utf8.count }
            fieldCount += Self.fixedFields + article.tags.count
        }
        reserveCapacity(articles: articles.count, fields: fieldCount, bytes: byteCount)
        for article in articles { append(article) }
    }

    /// Room for this many articles, fields (five an article and its tags) and bytes of text.
    public mutating func reserveCapacity(articles: Int, fields: Int, bytes byteCount: Int) {
        bytes.reserveCapacity(byteCount)
        fieldStarts.reserveCapacity(fields + 1)
        firstFields.reserveCapacity(articles + 1)
        presence.reserveCapacity(articles)
        published.reserveCapacity(articles)
    }

    public mutating func append(_ article: ArticleMetadata) {
        // Field by field, without an array of them: this runs for every article of a build and a load.
        func add(_ field: String) {
            bytes.append(contentsOf: field.utf8)
            fieldStarts.append(bytes.count)
        }
        add(article.id)
        add(article.title)
        add(article.url ?? "")
        add(article.section ?? "")
        add(article.language)
        for tag in article.tags { add(tag) }
        firstFields.append(fieldStarts.count - 1)
        presence.append(
            (article.url == nil ? 0 : Self.hasURL) | (article.section == nil ? 0 : Self.hasSection)
                | (article.publishedAt == nil ? 0 : Self.hasDate))
        published.append(article.publishedAt?.timeIntervalSinceReferenceDate ?? 0)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { presence.count }

    public subscript(row: Int) -> ArticleMetadata {
        let tags = firstFields[row] + Self.fixedFields..<firstFields[row + 1]
        return ArticleMetadata(
            id: id(of: row), title: string(row, .title), url: url(of: row), publishedAt: publishedAt(of: row),
            section: section(of: row), language: language(of: row), tags: tags.map(string(field:)))
    }

    public func id(of row: Int) -> String { string(row, .id) }

    public func url(of row: Int) -> String? { presence[row] & Self.hasURL == 0 ? nil : string(row, .url) }

    public func section(of row: Int) -> String? {
        presence[row] & Self.hasSection == 0 ? nil : string(row, .section)
    }

    /// `section(of: row) == section`, compared in the packed UTF-8 where that decides it: a section
    /// filter asks this of every candidate a search finds, and making each one's `String` was 5 %
    /// of a server's time under by-id requests filtered to a section. Equal bytes are equal
    /// strings, and two different ASCII strings are different; other pairs may still be
    /// canonically equivalent (é composed or not, the Kelvin sign and K), so `String` decides.
    public func hasSection(_ row: Int, equalTo section: String) -> Bool {
        guard presence[row] & Self.hasSection != 0 else { return false }
        return withBytes(of: firstFields[row] + Field.section.rawValue) { stored in
            if section.utf8.elementsEqual(stored) { return true }
            if stored.allSatisfy({ $0 < 0x80 }) && section.utf8.allSatisfy({ $0 < 0x80 }) { return false }
            return String(decoding: stored, as: UTF8.self) == section
        }
    }

    public func language(of row: Int) -> String { string(row, .language) }

    public func publishedAt(of row: Int) -> Date? {
        presence[row] & Self.hasDate == 0 ? nil : Date(timeIntervalSinceReferenceDate: published[row])
    }

    private func string(_ row: Int, _ field: Field) -> String { string(field: firstFields[row] + field.rawValue) }

    private func string(field: Int) -> String { withBytes(of: field) { String(decoding: $0, as: UTF8.self) } }

    /// The UTF-8 of field number `field`, in place.
    private func withBytes<Result>(of field: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        bytes.withUnsafeBufferPointer {
            body(UnsafeBufferPointer(rebasing: $0[fieldStarts[field]..<fieldStarts[field + 1]]))
        }
    }
}
