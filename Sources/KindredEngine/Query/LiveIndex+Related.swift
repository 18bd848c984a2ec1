import Foundation
import KindredEncoder
import KindredLinearAlgebra
import KindredText

/// A query's entry points, and the first step of every answer: resolving the examples (ids and
/// texts, liked and unliked) to one `Subject` with one query vector. `LiveIndex+Answer.swift`
/// shapes the list from there.
extension LiveIndex {
    /// Most distinct indexed terms a query text may hold. A long feature has a few thousand; a
    /// text with more is a collection pasted by mistake, and folding it in costs terms × dimensions.
    public static let maximumQueryTerms = 10_000

    /// What a query is about, resolved.
    struct Subject {
        var vector: Model.QueryVector?
        /// The model row when the query is one model article (its precomputed list can answer).
        var row: Int?
        /// The one article whose editorial overrides apply.
        var overridesID: String?
        var language: String?
        var section: String?
        /// Never results: the examples themselves.
        var excluded: Set<String>
        /// Articles the draft links to.
        var linked: Set<String>
        /// The semantic channel's query vector (`LiveIndex.combinedMeaning`); nil when the subject has none.
        var meaning: [Float]? = nil
    }

    /// The articles most related to an indexed (or upserted) one, itself excluded, with its
    /// editorial overrides applied.
    ///
    /// - Throws: `EngineError.unknownArticle` when the id is unknown or deleted;
    ///   `EngineError.invalidParameter` for a query value out of range.
    public func related(to id: String, query: RelatedQuery) throws -> RelatedList {
        try related(like: [.article(id)], query: query)
    }

    /// The articles most related to a text that is not indexed (a draft).
    ///
    /// - Parameter links: ids or URLs the draft links to besides those found in its text.
    public func similar(
        title: String, body: String, language: String?, links: [String] = [], query: RelatedQuery
    ) throws -> RelatedList {
        try related(like: [.text(title: title, body: body, language: language)], links: links, query: query)
    }

    /// The articles most related to several examples at once, and unlike the negative ones (a
    /// topic page: "more like these, less like that"); see `Model.combining(like:unlike:)`.
    ///
    /// - Throws: `EngineError.unknownArticle` for an unknown id among the examples;
    ///   `EngineError.invalidParameter` for no positive example or a query value out of range.
    public func related(
        like: [QueryExample], unlike: [QueryExample] = [], links: [String] = [], query: RelatedQuery
    ) throws -> RelatedList {
        try query.validate()
        guard !like.isEmpty else {
            throw EngineError.invalidParameter("give at least one example to be like (\(.examples))")
        }
        return try answer(
            subject(like: like, unlike: unlike, links: links, embedding: query.semanticWeight > 0), query: query)
    }

    /// - Parameter embedding: embed a text example with `encoder` (the query blends meaning).
    func subject(like: [QueryExample], unlike: [QueryExample], links: [String], embedding: Bool = false) throws
        -> Subject
    {
        var excluded = Set<String>(), linked = Set<String>()
        var language: String?, section: String?
        var meanings: [[Float]?] = []
        func resolve(_ example: QueryExample) throws -> (vector: Model.QueryVector?, row: Int?) {
            switch example {
            case .article(let id):
                excluded.insert(id)
                if let slot = upsertIndex[id] {
                    language = language ?? upserts[slot].metadata.language
                    section = section ?? upserts[slot].metadata.section
                    meanings.append(upserts[slot].meaning)
                    return (upserts[slot].vector, nil)
                }
                guard let row = model.row(of: id), !hiddenRows.contains(row) else {
                    throw EngineError(
                        .unknownArticle,
                        "no article with id '\(id)' (\(articleCount) articles in model \(version)); check the id, or add the article first"
                    )
                }
                language = language ?? model.articles[row].language
                section = section ?? model.articles[row].section
                meanings.append(model.semanticVector(row: row))
                return (model.queryVector(row: row), row)
            case .text(let title, let body, let textLanguage, let bodyFormat):
                language = language ?? textLanguage ?? Language.defaultCode
                // A draft from a CMS editor is often HTML: its text is analysed, its links' targets
                // are links the reader already has.
                let isHTML = bodyFormat.map { $0 == .html } ?? HTMLText.looksLikeHTML(body)
                let html = isHTML ? HTMLText.extract(body) : nil
                let text = html?.text ?? body
                linked.formUnion(linkedIDs(in: title + "\n" + text))
                for target in html?.links ?? [] { if let id = linkedID(target) { linked.insert(id) } }
                let vector = model.queryVector(title: title, body: text, language: textLanguage)
                meanings.append(embedding ? meaning(title: title, body: text, language: language) : nil)
                if let terms = vector?.sparse.indices.count, terms > Self.maximumQueryTerms {
                    throw EngineError.invalidParameter(
                        "the text has \(terms) distinct indexed terms; the limit is \(Self.maximumQueryTerms): send one article, not a collection"
                    )
                }
                return (vector, nil)
            }
        }
        let positives = try like.map(resolve)
        let positiveMeanings = meanings
        meanings = []
        let savedLanguage = language, savedSection = section
        let negatives = try unlike.map(resolve)
        language = savedLanguage
        section = savedSection
        for link in links {
            if let id = linkedID(link) { linked.insert(id) }
        }
        let single = like.count == 1 && unlike.isEmpty
        let overridesID: String? = if single, case .article(let id) = like[0] { id } else { nil }
        return Subject(
            vector: Model.combining(like: positives.compactMap(\.vector), unlike: negatives.compactMap(\.vector)),
            row: single ? positives[0].row : nil, overridesID: overridesID, language: language, section: section,
            excluded: excluded, linked: linked,
            meaning: Self.combinedMeaning(like: positiveMeanings, count: like.count, unlike: meanings.compactMap { $0 })
        )
    }

    /// A draft's semantic vector: embedded once, when the index has the encoder the model's vectors
    /// came from and the encoder reads the draft's language; nil otherwise.
    func meaning(title: String, body: String, language: String?) -> [Float]? {
        guard let encoder, let semantic = model.semantic, encoder.identity.matches(semantic.encoder),
            SemanticVectors.covers(language ?? Language.defaultCode, languages: SemanticVectors.englishOnly)
        else { return nil }
        return encoder.encode([SentenceEncoder.input(title: title, body: body)], maxTokens: semantic.maxTokens).row(0)
    }

    /// Ids of live articles referenced in a text by URL or by id.
    func linkedIDs(in text: String) -> Set<String> {
        let references = OutboundLinks.references(in: text)
        var ids = Set<String>()
        for url in references.urls {
            if let id = linkedID(url) { ids.insert(id) }
        }
        for word in references.words where metadata(of: word) != nil { ids.insert(word) }
        return ids
    }

    /// The live article an id or URL names, or nil.
    func linkedID(_ reference: String) -> String? {
        if metadata(of: reference) != nil { return reference }
        if let id = upsertIDByURL[OutboundLinks.normalizedURL(reference)] { return id }
        guard let row = model.row(ofURL: reference), !hiddenRows.contains(row) else { return nil }
        return model.articles[row].id
    }
}
