import Foundation
import KindredLinearAlgebra
import KindredText

/// Reads a corpus: JSON Lines files, one article per line.
///
/// Every line is either an article or a `CorpusProblem` with file, line and reason; nothing is
/// dropped silently. Blank lines are skipped. Fields Kindred doesn't know are ignored.
///
/// Fields: `id` (string, required, unique across the corpus), `title` and `body` (strings, at
/// least one non-empty), `url`, `published_at` (RFC 3339), `section`, `language` (BCP 47,
/// default `en`), `tags` (array of strings), `related` / `links` (arrays of ids or urls of other
/// articles, for evaluation).
public struct CorpusReader: Sendable {
    /// The longest id accepted, in UTF-8 bytes.
    public static let maximumIDLength = 512
    /// Longest title plus body accepted, in UTF-8 bytes: 4 MiB, some eighty times a long feature.
    /// A larger "article" is an export mistake (a whole feed in one field), refused rather than
    /// allowed to blow up the build's memory.
    public static let maximumTextBytes = 4 << 20

    /// The outcome of reading: the valid articles in file order, and every problem found.
    public struct Result: Sendable {
        public var articles: [Article] = []
        public var problems: [CorpusProblem] = []
        public var files: [String] = []
        /// Non-blank lines (or rows) seen.
        public var lines = 0

        public init() {}

        /// Keeps an article, or records why it can't be kept (its own problem, or an id already
        /// seen); `seen` maps ids to where they were first met.
        public mutating func take(
            _ outcome: Swift.Result<Article, Reason>, file: String, line: Int, seen: inout [String: String]
        ) {
            switch outcome {
            case .success(let article):
                if let first = seen[article.id] {
                    problems.append(
                        CorpusProblem(
                            file: file, line: line, reason: "duplicate id '\(article.id)' (first at \(first))"))
                } else {
                    seen[article.id] = "\(file):\(line)"
                    articles.append(article)
                }
            case .failure(let reason):
                problems.append(CorpusProblem(file: file, line: line, reason: reason.text))
            }
        }
    }

    /// How bodies without a `body_format` field are read: told from their content by default.
    public var bodyFormat: BodyFormat?

    /// - Parameter bodyFormat: `.html` or `.text` for every body that doesn't say; nil to tell
    ///   from each body's content.
    public init(bodyFormat: BodyFormat? = nil) { self.bodyFormat = bodyFormat }

    /// The `.jsonl` / `.ndjson` files a path names: the file itself, or a directory's such files
    /// (not recursive), sorted by name.
    ///
    /// - Throws: `CorpusError` when the path doesn't exist or a directory holds no such file.
    public static func files(at path: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CorpusError(path: path, reason: "no such file or directory")
        }
        guard isDirectory.boolValue else { return [path] }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw CorpusError(path: path, reason: "can't list the directory: \(error.localizedDescription)")
        }
        let files = names.filter { $0.hasSuffix(".jsonl") || $0.hasSuffix(".ndjson") }.sorted()
            .map { (path as NSString).appendingPathComponent($0) }
        guard !files.isEmpty else {
            throw CorpusError(
                path: path, reason: "the directory holds no .jsonl file; a corpus is JSON Lines, one article per line")
        }
        return files
    }

    /// Reads every file under `path` (see `files(at:)`).
    public func read(path: String) throws -> Result {
        var result = Result()
        var seen: [String: String] = [:]
        for file in try Self.files(at: path) {
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: file))
            } catch {
                throw CorpusError(path: file, reason: "can't read the file: \(error.localizedDescription)")
            }
            read(data: data, file: file, into: &result, seen: &seen)
        }
        return result
    }

    /// Reads JSON Lines from memory; `file` names it in problems.
    public func read(data: Data, file: String) -> Result {
        var result = Result()
        var seen: [String: String] = [:]
        read(data: data, file: file, into: &result, seen: &seen)
        return result
    }

    /// Parses the lines on all cores, then takes their results in file order: duplicates and
    /// problems come out exactly as a line-by-line reader would report them.
    private func read(data: Data, file: String, into result: inout Result, seen: inout [String: String]) {
        result.files.append(file)
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var lines: [Range<Int>] = []
            var lineStart = 0
            while lineStart < bytes.count {
                var lineEnd = lineStart
                while lineEnd < bytes.count && bytes[lineEnd] != 0x0A { lineEnd += 1 }
                lines.append(lineStart..<lineEnd)
                lineStart = lineEnd + 1
            }
            let pieces = min(lines.count, ProcessorCount.active * 8)
            guard pieces > 0 else { return }
            let parsed = Parallel.map(pieces) { piece -> [(line: Int, outcome: Swift.Result<Article, Reason>)?] in
                let range = (piece * lines.count / pieces)..<((piece + 1) * lines.count / pieces)
                return range.map { index in
                    let line = UnsafeBufferPointer(rebasing: bytes[lines[index]])
                    if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return nil }
                    return (index + 1, parse(line: line))
                }
            }
            for case let (lineNumber, outcome)? in parsed.joined() {
                result.lines += 1
                result.take(outcome, file: file, line: lineNumber, seen: &seen)
            }
        }
    }

    /// Why one line or article was refused, in words.
    public struct Reason: Error, Sendable {
        public let text: String
        public init(text: String) { self.text = text }
    }

    /// Parses and validates one line.
    func parse(line: UnsafeBufferPointer<UInt8>) -> Swift.Result<Article, Reason> {
        guard let text = String(validating: line, as: UTF8.self) else {
            return .failure(Reason(text: "invalid UTF-8 at byte \(Self.firstInvalidUTF8Offset(line) + 1) of the line"))
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [])
        } catch {
            return .failure(Reason(text: "malformed JSON: \(Self.describe(error))"))
        }
        guard let fields = object as? [String: Any] else {
            return .failure(Reason(text: "expected a JSON object, one article per line"))
        }
        return Self.article(from: fields, bodyFormat: bodyFormat)
    }

    /// Builds an article from decoded JSON fields, checking each; `bodyFormat` reads bodies that
    /// don't say (nil: tell from the content).
    public static func article(from fields: [String: Any], bodyFormat: BodyFormat? = nil)
        -> Swift.Result<Article, Reason>
    {
        read(fields, bodyFormat: bodyFormat).map(\.article)
    }

    /// Checks the fields and builds the article, with the body format it was read in.
    static func read(_ fields: [String: Any], bodyFormat: BodyFormat?, markup: Bool = true)
        -> Swift.Result<(article: Article, format: BodyFormat), Reason>
    {
        do {
            return .success(try ArticleFields(fields, bodyFormat: bodyFormat, markup: markup).article())
        } catch let reason as Reason {
            return .failure(reason)
        } catch {
            return .failure(Reason(text: "\(error)"))
        }
    }

    static func describe(_ error: Error) -> String {
        let nsError = error as NSError
        if let detail = nsError.userInfo[NSDebugDescriptionErrorKey] as? String { return detail }
        return nsError.localizedDescription
    }

    static func firstInvalidUTF8Offset(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var offset = 0
        while offset < bytes.count {
            let lead = bytes[offset]
            let length: Int
            switch lead {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return offset
            }
            guard offset + length <= bytes.count,
                String(validating: UnsafeBufferPointer(rebasing: bytes[offset..<(offset + length)]), as: UTF8.self)
                    != nil
            else { return offset }
            offset += length
        }
        return offset
    }
}

/// An article's JSON fields, read and checked one at a time; each failure is a `Reason` that
/// names the field.
private struct ArticleFields {
    let fields: [String: Any]
    let bodyFormat: BodyFormat?
    /// False for text that was read once already (a journal's older lines): title and body are
    /// taken as they are, since decoding entities a second time would change them.
    let markup: Bool

    init(_ fields: [String: Any], bodyFormat: BodyFormat?, markup: Bool) {
        self.fields = fields
        self.bodyFormat = bodyFormat
        self.markup = markup
    }

    typealias Reason = CorpusReader.Reason

    func article() throws -> (article: Article, format: BodyFormat) {
        guard let given = try string("id") else { throw Reason(text: "missing 'id'") }
        let id = ArticleID.normalized(given)
        guard !Self.isBlank(id) else { throw Reason(text: "empty 'id'") }
        guard id.utf8.count <= CorpusReader.maximumIDLength else {
            throw Reason(text: "'id' is \(id.utf8.count) bytes long; the limit is \(CorpusReader.maximumIDLength)")
        }
        let rawTitle = try string("title") ?? "", rawBody = try string("body") ?? ""
        let size = rawTitle.utf8.count + rawBody.utf8.count
        guard size <= CorpusReader.maximumTextBytes else {
            throw Reason(
                text:
                    "article '\(id)' has \(size) bytes of title and body; the limit is \(CorpusReader.maximumTextBytes)"
            )
        }
        let html = try bodyFormat(of: rawBody)
        let title = markup ? html.title(rawTitle) : rawTitle, body = markup ? html.body(rawBody) : rawBody
        guard !Self.isBlank(title) || !Self.isBlank(body) else {
            throw Reason(text: "article '\(id)' has neither a title nor a body")
        }
        let article = Article(
            id: id, title: title, body: body, url: try string("url"), publishedAt: try publishedAt(),
            section: try string("section"), language: try language(), tags: try strings("tags", of: "strings") ?? [],
            links: (try strings("related", of: "article ids or urls") ?? [])
                + (try strings("links", of: "article ids or urls") ?? []))
        return (article, html)
    }

    /// Whether the text is empty or white space only. Stops at the first other character, where
    /// trimming copied every body to find out.
    static func isBlank(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { CharacterSet.whitespacesAndNewlines.contains($0) }
    }

    func string(_ key: String) throws -> String? {
        guard let value = fields[key], !(value is NSNull) else { return nil }
        guard let text = value as? String else { throw Reason(text: "field '\(key)' must be a string") }
        return text
    }

    func strings(_ key: String, of what: String) throws -> [String]? {
        guard let value = fields[key], !(value is NSNull) else { return nil }
        guard let list = value as? [Any], let strings = list as? [String], strings.count == list.count else {
            throw Reason(text: "field '\(key)' must be an array of \(what)")
        }
        return strings
    }

    /// `body_format`: `html` or `text`, or absent to tell from the body (`HTMLText.looksLikeHTML`).
    func bodyFormat(of body: String) throws -> BodyFormat {
        switch try string("body_format") {
        case nil: return bodyFormat ?? (HTMLText.looksLikeHTML(body) ? .html : .text)
        case "html": return .html
        case "text": return .text
        case let other?: throw Reason(text: "'body_format' \"\(other)\" is not html or text")
        }
    }

    func publishedAt() throws -> Date? {
        guard let text = try string("published_at") else { return nil }
        guard let date = RFC3339.parse(text) else {
            throw Reason(text: "'published_at' \"\(text)\" is not an RFC 3339 timestamp (e.g. 2026-11-25T14:50:00Z)")
        }
        return date
    }

    func language() throws -> String {
        guard let tag = try string("language") else { return Language.defaultCode }
        guard Language.primarySubtag(of: tag) != nil else {
            throw Reason(text: "'language' \"\(tag)\" is not a BCP 47 tag (e.g. en, de-CH, pt-BR)")
        }
        return tag
    }
}

/// How an article's body is written. An HTML body becomes its text (`HTMLText`) before analysis,
/// and so does a title holding markup or entities.
public enum BodyFormat: String, Sendable, CaseIterable {
    case text, html

    func body(_ body: String) -> String {
        self == .html ? HTMLText.extract(body).text.trimmingCharacters(in: .whitespacesAndNewlines) : body
    }

    /// A title with markup or entities as one line of text.
    func title(_ title: String) -> String {
        guard HTMLText.looksLikeHTML(title) else { return title }
        return HTMLText.extract(title).text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
