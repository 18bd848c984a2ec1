import KindredEngine

extension RelatedResponse {
    /// This answer as the server sends it: the bytes `JSONCoding.literalKeysEncoder()` writes
    /// (keys sorted, `id` and `model` left out when absent, a result's absent fields as `null`),
    /// written directly. Nil when a number is not finite, which JSON can't hold: the encoder then
    /// reports it.
    public func jsonBytes() -> [UInt8]? {
        guard results.allSatisfy(\.numbersAreFinite) else { return nil }
        var json = JSONBytes(capacity: 160 + 240 * results.count)
        json.object { json in
            json.key("below_floor")
            json.number(belowFloor)
            json.key("complete")
            json.bool(complete)
            if let id {
                json.key("id")
                json.string(id)
            }
            json.key("k")
            json.number(k)
            if let model {
                json.key("model")
                json.object { json in
                    json.key("built_at")
                    json.string(model.builtAt)
                    json.key("version")
                    json.string(model.version)
                }
            }
            json.key("results")
            json.array(results) { $0.result($1) }
        }
        return json.bytes
    }
}

extension RelatedResult {
    var numbersAreFinite: Bool {
        guard score.isFinite else { return false }
        guard let explanation else { return true }
        let numbers =
            [
                explanation.lsa, explanation.lexical, explanation.headline, explanation.freshness, explanation.words,
                explanation.semanticWeight,
            ] + (explanation.meaning.map { [$0] } ?? [])
            + explanation.sharedTerms.map(\.weight) + explanation.dimensions.map(\.weight)
        return numbers.allSatisfy(\.isFinite)
    }
}

extension JSONBytes {
    /// One result, its keys in sorted order as `RelatedResult.encode(to:)` names them.
    fileprivate mutating func result(_ result: RelatedResult) {
        object { json in
            json.key("already_linked")
            json.bool(result.alreadyLinked)
            if let explanation = result.explanation {
                json.key("explanation")
                json.explanation(explanation)
            }
            json.key("id")
            json.string(result.id)
            json.key("published_at")
            json.string(result.publishedAt)
            json.key("reason")
            json.string(result.reason)
            json.key("score")
            json.number(result.score)
            json.key("section")
            json.string(result.section)
            json.key("title")
            json.string(result.title)
            json.key("url")
            json.string(result.url)
        }
    }

    private mutating func explanation(_ explanation: Explanation) {
        object { json in
            json.key("dimensions")
            json.array(explanation.dimensions) { json, part in
                json.object { json in
                    json.key("dimension")
                    json.number(part.dimension)
                    json.key("terms")
                    json.array(part.terms) { $0.string($1) }
                    json.key("weight")
                    json.number(part.weight)
                }
            }
            json.key("freshness")
            json.number(explanation.freshness)
            json.key("headline")
            json.number(explanation.headline)
            json.key("lexical")
            json.number(explanation.lexical)
            json.key("lsa")
            json.number(explanation.lsa)
            if let meaning = explanation.meaning {
                json.key("meaning")
                json.number(meaning)
            }
            json.key("semantic_weight")
            json.number(explanation.semanticWeight)
            json.key("shared_terms")
            json.array(explanation.sharedTerms) { json, term in
                json.object { json in
                    json.key("term")
                    json.string(term.term)
                    json.key("weight")
                    json.number(term.weight)
                }
            }
            json.key("words")
            json.number(explanation.words)
        }
    }
}
