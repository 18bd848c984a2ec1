"""Peers for `kindred eval`, measured the same way on the same corpus and qrels.

Each method ranks, for every judged article, the other articles of the corpus; the metrics are the
ones `kindred eval` reports (binary relevance, macro-averaged over queries, answers missing from the
corpus removed, queries without answers skipped):

- scikit-learn: TfidfVectorizer(sublinear_tf, English stop words, min_df 2, max_df 0.5) then
  TruncatedSVD (randomized) with k = 100, 200, 300 components, cosine
- plain TF-IDF cosine (the same vectoriser, no SVD)
- gensim: TfidfModel then LsiModel (256 topics), cosine
- Elasticsearch-style More Like This: the query article's top 25 terms by TF-IDF (min_term_freq 2,
  min_doc_freq 5), scored against every article with BM25 (k1 1.2, b 0.75)

Prints one JSON object per method on standard output.
Usage: python quality.py CORPUS.jsonl QRELS.jsonl [K]
"""
import json
import math
import sys
import time

import numpy as np
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from pipelines import MoreLikeThis, gensim_lsi


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def metrics(ranking, relevant, k):
    top = ranking[:k]
    hits = [1 if d in relevant else 0 for d in top]
    dcg = sum(h / math.log2(i + 2) for i, h in enumerate(hits))
    idcg = sum(1 / math.log2(i + 2) for i in range(min(len(relevant), k)))
    first = next((i + 1 for i, h in enumerate(hits) if h), None)
    return (sum(hits) / len(relevant), dcg / idcg, 1 / first if first else 0.0, sum(hits) / k)


def evaluate(name, ids, qrels, k, score_row, seconds):
    index = {d: i for i, d in enumerate(ids)}
    rows, skipped, times = [], 0, []
    for qid in sorted(qrels):
        relevant = {d for d in qrels[qid] if d != qid and d in index}
        if qid not in index or not relevant:
            skipped += 1
            continue
        start = time.perf_counter()
        scores = np.asarray(score_row(index[qid]), dtype=np.float64).ravel()
        scores[index[qid]] = -np.inf
        top = np.argpartition(-scores, min(k, len(scores) - 1))[: k + 1]
        top = top[np.lexsort((top, -scores[top]))][:k]
        times.append(time.perf_counter() - start)
        rows.append(metrics([ids[i] for i in top], relevant, k))
    m = np.mean(rows, axis=0)
    print(json.dumps({"method": name, "k": k, "queries": len(rows), "skipped": skipped,
                      "recall": round(m[0], 4), "ndcg": round(m[1], 4), "mrr": round(m[2], 4),
                      "precision": round(m[3], 4), "build_seconds": round(seconds, 2),
                      "median_query_ms": round(1000 * float(np.median(times)), 3)}), flush=True)


def main():
    corpus_path, qrels_path = sys.argv[1], sys.argv[2]
    k = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    docs = read_jsonl(corpus_path)
    qrels = {q["id"]: set(q["relevant"]) for q in read_jsonl(qrels_path)}
    ids = [d["id"] for d in docs]
    texts = [(d.get("title") or "") + "\n" + (d.get("body") or "") for d in docs]

    start = time.perf_counter()
    vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=2, max_df=0.5)
    x = vectorizer.fit_transform(texts)
    vectorise = time.perf_counter() - start
    evaluate("tfidf-cosine", ids, qrels, k, lambda i: (x @ x[i].T).toarray(), vectorise)

    for components in (100, 200, 300):
        start = time.perf_counter()
        svd = TruncatedSVD(n_components=min(components, x.shape[1] - 1), algorithm="randomized", random_state=0)
        z = normalize(svd.fit_transform(x))
        evaluate(f"sklearn-lsa-{components}", ids, qrels, k, lambda i, z=z: z @ z[i], vectorise + time.perf_counter() - start)

    start = time.perf_counter()
    index, vectors = gensim_lsi(texts)
    lsi_vectors = list(vectors)
    evaluate("gensim-lsi-256", ids, qrels, k, lambda i: index[lsi_vectors[i]], time.perf_counter() - start)

    # Elasticsearch-style More Like This with BM25.
    start = time.perf_counter()
    mlt = MoreLikeThis(texts, stop_words="english")
    by_term = mlt.bm25.tocsc()
    n = mlt.tf.shape[0]
    setup = time.perf_counter() - start

    def more_like_this(i):
        chosen = mlt.terms(i)
        return np.asarray(by_term[:, chosen].sum(axis=1)).ravel() if len(chosen) else np.zeros(n)

    evaluate("more-like-this-bm25", ids, qrels, k, more_like_this, setup)


if __name__ == "__main__":
    main()
