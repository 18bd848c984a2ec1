"""Peers for `kindred eval --pairs`, scored the same way on the same corpus and rated pairs.

Each method gives every rated pair a similarity with the whole corpus indexed; the figures are
Pearson's r and Spearman's rho between those similarities and the people's ratings, over all pairs
and per language of the first article (a pair without a score counts 0), as `kindred eval --pairs`
reports them:

- plain TF-IDF cosine: TfidfVectorizer(sublinear_tf, min_df 2, max_df 0.5); no stop-word list,
  since the set mixes seven languages
- scikit-learn LSA: the same TF-IDF, then TruncatedSVD (randomized) with 100, 200, 300 components
- gensim: TfidfModel then LsiModel (256 topics)
- Elasticsearch-style More Like This with BM25: the first article's top 25 terms by TF-IDF
  (min_term_freq 2, min_doc_freq 5) scored against the second with BM25 (k1 1.2, b 0.75)

Prints one JSON object per method on standard output.
Usage: python pairs.py CORPUS.jsonl PAIRS.tsv
"""
import json
import sys

import numpy as np
from scipy import sparse, stats
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from pipelines import MoreLikeThis


def read_pairs(path):
    pairs = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f):
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 3:
                continue
            try:
                pairs.append((fields[0].strip(), fields[1].strip(), float(fields[2])))
            except ValueError:
                if number > 0:
                    raise
    return pairs


def correlations(name, pairs, languages, score):
    """One JSON line: r and rho over all pairs and per language; score(a, b) -> float or None."""
    rows = []
    for a, b, rating in pairs:
        value = score(a, b)
        rows.append((languages.get(a, "und"), rating, 0.0 if value is None else float(value)))

    def group(label, members):
        ratings = np.array([m[1] for m in members])
        scores = np.array([m[2] for m in members])
        if len(members) < 2 or ratings.std() == 0 or scores.std() == 0:
            return {"language": label, "pairs": len(members), "pearson": None, "spearman": None}
        return {"language": label, "pairs": len(members), "pearson": round(float(stats.pearsonr(ratings, scores)[0]), 4),
                "spearman": round(float(stats.spearmanr(ratings, scores)[0]), 4)}

    by_language = {}
    for row in rows:
        by_language.setdefault(row[0], []).append(row)
    groups = [group(label, members) for label, members in sorted(by_language.items(), key=lambda kv: (-len(kv[1]), kv[0]))]
    print(json.dumps({"method": name, "overall": group("all", rows), "languages": groups}), flush=True)


def main():
    corpus_path, pairs_path = sys.argv[1], sys.argv[2]
    with open(corpus_path, encoding="utf-8") as f:
        docs = [json.loads(line) for line in f if line.strip()]
    pairs = read_pairs(pairs_path)
    ids = [d["id"] for d in docs]
    row = {d: i for i, d in enumerate(ids)}
    languages = {d["id"]: d.get("language") or "und" for d in docs}
    texts = [(d.get("title") or "") + "\n" + (d.get("body") or "") for d in docs]

    def by_rows(matrix):
        def score(a, b):
            if a not in row or b not in row:
                return None
            x, y = matrix[row[a]], matrix[row[b]]
            value = x @ y.T
            return value.toarray()[0, 0] if sparse.issparse(value) else float(value)
        return score

    x = TfidfVectorizer(sublinear_tf=True, min_df=2, max_df=0.5).fit_transform(texts).tocsr()
    correlations("tfidf-cosine", pairs, languages, by_rows(x))
    for components in (100, 200, 300):
        svd = TruncatedSVD(n_components=min(components, x.shape[1] - 1), algorithm="randomized", random_state=0)
        correlations(f"sklearn-lsa-{components}", pairs, languages, by_rows(normalize(svd.fit_transform(x))))

    from gensim import corpora, matutils, models
    import re
    token = re.compile(r"(?u)\b\w\w+\b")
    tokenised = [token.findall(text.lower()) for text in texts]
    dictionary = corpora.Dictionary(tokenised)
    dictionary.filter_extremes(no_below=2, no_above=0.5, keep_n=None)
    bow = [dictionary.doc2bow(words) for words in tokenised]
    tfidf = models.TfidfModel(bow)
    lsi = models.LsiModel(tfidf[bow], id2word=dictionary, num_topics=256, random_seed=0)
    dense = normalize(matutils.corpus2dense(lsi[tfidf[bow]], num_terms=256).T)
    correlations("gensim-lsi-256", pairs, languages, by_rows(dense))

    mlt = MoreLikeThis(texts)

    def more_like_this(a, b):
        if a not in row or b not in row:
            return None
        chosen = mlt.terms(row[a])
        return float(mlt.bm25[row[b], chosen].sum()) if len(chosen) else 0.0

    correlations("more-like-this-bm25", pairs, languages, more_like_this)


if __name__ == "__main__":
    main()
