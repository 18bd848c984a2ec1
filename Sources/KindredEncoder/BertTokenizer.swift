import Foundation

/// Text to BERT token ids: `BertTextNormalizer`'s words, each cut into word pieces by greedy
/// longest-match-first against `vocab.txt` (Wu et al., "Google's Neural Machine Translation
/// System", 2016, §4.1; continuation pieces carry `##`), between `[CLS]` and `[SEP]`.
///
/// A word longer than 100 characters, or one no sequence of pieces covers, becomes `[UNK]`, as in
/// the reference tokenizer.
public struct BertTokenizer: Sendable {
    public let vocabularySize: Int
    public let classifierID: Int32
    public let separatorID: Int32
    public let unknownID: Int32
    private let ids: [String: Int32]
    private static let maxCharactersPerWord = 100

    /// Reads `vocab.txt` at `path`: one token a line, the line number its id.
    ///
    /// - Throws: `EncoderError` `.missingFile`, or `.vocabularyMismatch` when the special tokens
    ///   are missing or the file has more or fewer tokens than `expectedSize` (the weights' rows).
    init(vocabularyPath path: String, expectedSize: Int) throws(EncoderError) {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else { throw EncoderError(.missingFile, "\(path) is missing or not UTF-8 text") }
        var tokens = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        if tokens.last == "" { tokens.removeLast() }
        guard tokens.count == expectedSize else {
            throw EncoderError(
                .vocabularyMismatch,
                "\(path) lists \(tokens.count) tokens, the weights have \(expectedSize) rows: the vocabulary belongs to another model"
            )
        }
        var ids: [String: Int32] = [:]
        ids.reserveCapacity(tokens.count)
        for (id, token) in tokens.enumerated() where ids[token] == nil { ids[token] = Int32(id) }
        guard let cls = ids["[CLS]"], let sep = ids["[SEP]"], let unk = ids["[UNK]"] else {
            throw EncoderError(.vocabularyMismatch, "\(path) lacks [CLS], [SEP] or [UNK]: not a BERT vocabulary")
        }
        self.ids = ids
        vocabularySize = tokens.count
        classifierID = cls
        separatorID = sep
        unknownID = unk
    }

    /// The ids of `text`, `[CLS]` and `[SEP]` included, at most `maxTokens` of them (≥ 2): the
    /// word pieces past `maxTokens − 2` are dropped, as sentence-transformers' `max_seq_length`
    /// does. Text past what the limit can use is not analysed at all, so a 20,000-word draft
    /// costs what its first words cost.
    public func ids(_ text: String, maxTokens: Int) -> [Int32] {
        let room = max(0, maxTokens - 2)
        var result: [Int32] = [classifierID]
        result.reserveCapacity(min(room, 512) + 2)
        for chunk in Self.chunks(of: text) {
            for word in BertTextNormalizer.words(String(chunk)) {
                if result.count - 1 >= room { break }
                appendPieces(of: word, to: &result)
            }
            if result.count - 1 >= room { break }
        }
        if result.count - 1 > room { result.removeLast(result.count - 1 - room) }
        result.append(separatorID)
        return result
    }

    /// `text` in pieces of about 2,000 characters cut at whitespace (never inside a word or a
    /// combining sequence), so that a long text is normalised only as far as it is read.
    private static func chunks(of text: String) -> [Substring] {
        let target = 2_000
        var pieces: [Substring] = []
        var start = text.startIndex
        while start < text.endIndex {
            var end = text.index(start, offsetBy: target, limitedBy: text.endIndex) ?? text.endIndex
            while end < text.endIndex, !text[end].isWhitespace { end = text.index(after: end) }
            pieces.append(text[start..<end])
            start = end
        }
        return pieces
    }

    private func appendPieces(of word: [Unicode.Scalar], to result: inout [Int32]) {
        guard word.count <= Self.maxCharactersPerWord else { return result.append(unknownID) }
        let mark = result.count
        var start = 0
        while start < word.count {
            var end = word.count
            var found: Int32?
            while start < end {
                var piece = start > 0 ? "##" : ""
                piece.unicodeScalars.append(contentsOf: word[start..<end])
                if let id = ids[piece] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let id = found else {
                result.removeLast(result.count - mark)
                return result.append(unknownID)
            }
            result.append(id)
            start = end
        }
    }
}
