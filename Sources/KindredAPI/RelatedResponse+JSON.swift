import KindredEngine

extension RelatedResponse {
    /// This answer as the server sends it: the bytes `JSONCoding.literalKeysEncoder()` writes
    /// (keys sorted, `id` and `model` left out when absent, a result's absent fields as `null`),
    /// written directly. Nil when a number is not finite, which JSON can't hold: the encoder then
    /// reports it.
    public func jsonBytes() -> [UInt8]? {
        guard results.allSatisfy(\.numbersAreFinite) else { return nil }
        var json = JSONBytes(capacity: 160 + 240 * results.count)
        json.raw("{")
        json.key("below_floor")
        json.number(belowFloor)
        json.raw(",")
        json.key("complete")
        json.bool(complete)
        if let id {
            json.raw(",")
            json.key("id")
            json.string(id)
        }
        json.raw(",")
        json.key("k")
        json.number(k)
        if let model {
            json.raw(",")
            json.key("model")
            json.raw("{")
            json.key("built_at")
            json.string(model.builtAt)
            json.raw(",")
            json.key("version")
            json.string(model.version)
            json.raw("}")
        }
        json.raw(",")
        json.key("results")
        json.array(results) { $0.result($1) }
        json.raw("}")
        return json.bytes
    }
}

extension RelatedResult {
    var numbersAreFinite: Bool {
        guard score.isFinite else { return false }
        guard let explanation else { return true }
        let numbers =
            [explanation.lsa, explanation.lexical, explanation.headline, explanation.freshness]
            + explanation.sharedTerms.map(\.weight) + explanation.dimensions.map(\.weight)
        return numbers.allSatisfy(\.isFinite)
    }
}

extension JSONBytes {
    /// One result, its keys in sorted order as `RelatedResult.encode(to:)` names them.
    fileprivate mutating func result(_ result: RelatedResult) {
        raw("{")
        key("already_linked")
        bool(result.alreadyLinked)
        if let explanation = result.explanation {
            raw(",")
            key("explanation")
            self.explanation(explanation)
        }
        raw(",")
        key("id")
        string(result.id)
        raw(",")
        key("published_at")
        string(result.publishedAt)
        raw(",")
        key("reason")
        string(result.reason)
        raw(",")
        key("score")
        number(result.score)
        raw(",")
        key("section")
        string(result.section)
        raw(",")
        key("title")
        string(result.title)
        raw(",")
        key("url")
        string(result.url)
        raw("}")
    }

    private mutating func explanation(_ explanation: Explanation) {
        raw("{")
        key("dimensions")
        array(explanation.dimensions) { json, part in
            json.raw("{")
            json.key("dimension")
            json.number(part.dimension)
            json.raw(",")
            json.key("terms")
            json.array(part.terms) { $0.string($1) }
            json.raw(",")
            json.key("weight")
            json.number(part.weight)
            json.raw("}")
        }
        raw(",")
        key("freshness")
        number(explanation.freshness)
        raw(",")
        key("headline")
        number(explanation.headline)
        raw(",")
        key("lexical")
        number(explanation.lexical)
        raw(",")
        key("lsa")
        number(explanation.lsa)
        raw(",")
        key("shared_terms")
        array(explanation.sharedTerms) { json, term in
            json.raw("{")
            json.key("term")
            json.string(term.term)
            json.raw(",")
            json.key("weight")
            json.number(term.weight)
            json.raw("}")
        }
        raw("}")
    }
}
