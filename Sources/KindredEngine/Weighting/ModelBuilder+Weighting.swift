import Foundation
import KindredLinearAlgebra
import KindredText

extension ModelBuilder {
    /// The build's vectorising stages on their own: analysis, vocabulary and the TF-IDF matrix
    /// (what the benchmarks time against scikit-learn's `TfidfVectorizer`).
    ///
    /// - Throws: `EngineError` when no term survives pruning.
    public func termMatrix(_ articles: [Article]) throws -> (weighting: TermWeighting, matrix: CSRMatrix) {
        let analysed = analyse(articles)
        var notices: [String] = []
        let (weighting, columns) = try vocabulary(of: analysed, documentCount: articles.count, notices: &notices)
        return (weighting, try tfidfMatrix(analysed, columns: columns, weighting: weighting))
    }

    /// Merges chunk frequencies, prunes by document frequency, fixes the term order and computes
    /// the global weights of the chosen scheme. Also returns, per chunk, the column of each of its
    /// local terms (−1 when pruned), so the TF-IDF matrix is built without hashing a term again.
    func vocabulary(of chunks: [AnalysedChunk], documentCount: Int, notices: inout [String]) throws -> (
        weighting: TermWeighting, columns: [[Int32]]
    ) {
        // One hash lookup per (chunk, term): every term gets a slot in first-seen order.
        var slotByTerm: [TermKey: Int32] = [:]
        var terms: [String] = [], df: [Int32] = [], total: [Double] = [], countLog: [Double] = []
        var slots: [[Int32]] = []
        var forms: [SurfaceForm?] = []
        for chunk in chunks {
            var chunkSlots = [Int32](repeating: 0, count: chunk.terms.count)
            for i in chunk.terms.indices {
                let term = chunk.terms[i]
                let key = TermKey(term)
                var slot = slotByTerm[key, default: -1]
                if slot < 0 {
                    slot = Int32(terms.count)
                    slotByTerm[key] = slot
                    terms.append(term)
                    df.append(0)
                    total.append(0)
                    countLog.append(0)
                    forms.append(nil)
                }
                if let form = chunk.surfaceForms[i], forms[Int(slot)].map(form.beats) ?? true {
                    forms[Int(slot)] = form
                }
                df[Int(slot)] += chunk.documentFrequencies[i]
                total[Int(slot)] += chunk.totalCounts[i]
                countLog[Int(slot)] += chunk.countLogCounts[i]
                chunkSlots[i] = slot
            }
            slots.append(chunkSlots)
        }
        let maximum = Int32((parameters.maximumDocumentFrequency * Double(documentCount)).rounded(.down))
        let minimum = Int32(parameters.minimumDocumentFrequency)
        let frequent = terms.indices.filter { df[$0] > 0 && df[$0] >= minimum && df[$0] <= max(maximum, minimum) }
        let kept = Self.sortedByText(
            Self.mostFrequent(frequent, documentFrequencies: df, terms: terms, limit: parameters.maximumTerms),
            terms: terms)
        if kept.count < frequent.count {
            notices.append(
                "vocabulary: kept the \(kept.count) terms found in the most articles of the \(frequent.count) within the document-frequency bounds (the vocabulary bound)"
            )
        }
        guard !kept.isEmpty else {
            throw EngineError(
                .emptyVocabulary,
                "no term occurs in at least \(minimum) and at most \(maximum) of the \(documentCount) articles; lower \(.minimumDocumentFrequency) or raise \(.maximumDocumentFrequency)"
            )
        }
        var columnOfSlot = [Int32](repeating: -1, count: terms.count)
        for (column, slot) in kept.enumerated() { columnOfSlot[slot] = Int32(column) }
        let columns = slots.map { $0.map { columnOfSlot[Int($0)] } }
        slotByTerm = [:]
        let surfaceForms = Self.surfaceForms(of: kept, terms: terms, forms: forms)
        let vocabulary = try Vocabulary(
            terms: kept.map { terms[$0] }, documentFrequencies: kept.map { df[$0] }, surfaceForms: surfaceForms)
        switch parameters.weighting {
        case .tfidf:
            return (TermWeighting(vocabulary: vocabulary, documentCount: documentCount), columns)
        case .logEntropy:
            return (
                TermWeighting(
                    vocabulary: vocabulary, documentCount: documentCount, totalCounts: kept.map { total[$0] },
                    countLogCounts: kept.map { countLog[$0] }),
                columns
            )
        }
    }

    /// The `limit` of `slots` whose terms are in the most articles, all of them when `limit` is nil
    /// or not below their count; among terms of the document frequency at the cut, the first in
    /// text order (so the choice does not depend on how analysis was split between threads).
    /// In no particular order.
    static func mostFrequent(_ slots: [Int], documentFrequencies df: [Int32], terms: [String], limit: Int?) -> [Int] {
        guard let limit, limit < slots.count else { return slots }
        // The frequency at the cut: the highest f with at least `limit` slots of frequency ≥ f.
        var countOf: [Int32: Int] = [:]
        for slot in slots { countOf[df[slot], default: 0] += 1 }
        var atLeast = 0, cut: Int32 = 0
        for frequency in countOf.keys.sorted(by: >) {
            atLeast += countOf[frequency]!
            if atLeast >= limit {
                cut = frequency
                break
            }
        }
        let above = slots.filter { df[$0] > cut }
        let tied = sortedByText(slots.filter { df[$0] == cut }, terms: terms)
        return above + tied.prefix(limit - above.count)
    }

    /// `slots` ordered by their terms, as `String`'s `<` orders them (the vocabulary's column
    /// order). Sorted first by UTF-8 bytes, on one contiguous copy of the terms: for strings in
    /// normal form C that is the same order (UTF-8 keeps the order of scalar values, which is what
    /// `<` compares), at a fraction of the cost of comparing `String`s. One pass with `<` checks
    /// it, and the `String` sort takes over if a term is not in normal form.
    static func sortedByText(_ slots: [Int], terms: [String]) -> [Int] {
        var bytes: [UInt8] = []
        var offsets = [0]
        offsets.reserveCapacity(slots.count + 1)
        for slot in slots {
            bytes.append(contentsOf: terms[slot].utf8)
            offsets.append(bytes.count)
        }
        var order = Array(slots.indices)
        bytes.withUnsafeBufferPointer { bytes in
            let base = bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!
            order.sort { x, y in
                let xCount = offsets[x + 1] - offsets[x], yCount = offsets[y + 1] - offsets[y]
                let order = memcmp(base + offsets[x], base + offsets[y], min(xCount, yCount))
                return order != 0 ? order < 0 : xCount < yCount
            }
        }
        let sorted = order.map { slots[$0] }
        for i in sorted.indices.dropFirst() where !(terms[sorted[i - 1]] < terms[sorted[i]]) {
            return slots.sorted { terms[$0] < terms[$1] }
        }
        return sorted
    }

    /// The `(articles × terms)` TF-IDF matrix, one unit-length row per article (empty rows stay
    /// empty); `columns` maps each chunk's local terms to the vocabulary (`vocabulary(of:)`).
    func tfidfMatrix(_ chunks: [AnalysedChunk], columns: [[Int32]], weighting: TermWeighting) throws -> CSRMatrix {
        try weightedRows(chunks, columns: columns, weighting: weighting) { $0.counts }
    }

    /// The `(articles × terms)` headline matrix: each article's title and tags, weighted like the
    /// full text and scaled to unit length (empty when no headline term is in the vocabulary).
    func headlineMatrix(_ chunks: [AnalysedChunk], columns: [[Int32]], weighting: TermWeighting) throws -> CSRMatrix {
        try weightedRows(chunks, columns: columns, weighting: weighting) { $0.headlines }
    }

    /// One weighted unit-length row per article from the chunks' runs that `runs` picks, the
    /// chunks on all cores.
    private func weightedRows(
        _ chunks: [AnalysedChunk], columns: [[Int32]], weighting: TermWeighting,
        _ runs: (AnalysedChunk) -> TermRuns
    ) throws -> CSRMatrix {
        var rowsPerChunk = [[SparseVector]](repeating: [], count: chunks.count)
        rowsPerChunk.withUnsafeMutableBufferPointer { out in
            Parallel.forEach(chunks.count) { c in
                let runs = runs(chunks[c])
                let (offsets, ids, tf) = (runs.offsets, runs.ids, runs.frequencies)
                let global = columns[c]
                var vectors: [SparseVector] = []
                vectors.reserveCapacity(offsets.count - 1)
                var frequencies: [(Int32, Float)] = []
                for r in 0..<(offsets.count - 1) {
                    frequencies.removeAll(keepingCapacity: true)
                    for p in offsets[r]..<offsets[r + 1] {
                        let id = global[Int(ids[p])]
                        if id >= 0 { frequencies.append((id, tf[p])) }
                    }
                    vectors.append(weighting.vector(termFrequencies: frequencies))
                }
                out[c] = vectors
            }
        }
        return try CSRMatrix(sparseRows: rowsPerChunk.flatMap { $0 }, columns: weighting.vocabulary.count)
    }

    /// Each kept word's surface form (`Vocabulary.surfaceForms`): the token text it came from
    /// most often over all chunks, lower-cased; "" where that is the word itself, and for phrases,
    /// which take their words' forms when shown.
    static func surfaceForms(of kept: [Int], terms: [String], forms: [SurfaceForm?]) -> [String] {
        kept.map { slot in
            guard let form = forms[slot]?.text.lowercased(), form != terms[slot] else { return "" }
            return form
        }
    }
}
