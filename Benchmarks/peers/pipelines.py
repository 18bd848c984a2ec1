"""The peer pipelines of Benchmarks/side-by-side.sh, one per invocation so that /usr/bin/time
measures each one's peak memory on its own.

  python pipelines.py sklearn CORPUS.jsonl   TfidfVectorizer -> TruncatedSVD (randomized, 256)
                                             -> brute-force cosine top-10 of every article
  python pipelines.py gensim CORPUS.jsonl    TfidfModel -> LsiModel (256) -> MatrixSimilarity top-10

Prints one JSON object: the seconds of each stage.
"""
import json
import sys
import time

import numpy as np


def read(path):
    with open(path, encoding="utf-8") as f:
        docs = [json.loads(line) for line in f if line.strip()]
    return [(d.get("title") or "") + "\n" + (d.get("body") or "") for d in docs]


def top10_all(z, block=1024):
    """Top 10 of every row of a unit-row matrix by cosine, itself excluded."""
    n = z.shape[0]
    for start in range(0, n, block):
        s = z[start:start + block] @ z.T
        rows = np.arange(s.shape[0])
        s[rows, start + rows] = -np.inf
        top = np.argpartition(-s, 10, axis=1)[:, :10]
        order = np.argsort(-np.take_along_axis(s, top, axis=1), axis=1)
        np.take_along_axis(top, order, axis=1)


def sklearn_pipeline(texts):
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize
    stages = {}
    t = time.perf_counter()
    x = TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=2, max_df=0.5).fit_transform(texts)
    stages["vectorise"] = time.perf_counter() - t
    t = time.perf_counter()
    z = normalize(TruncatedSVD(n_components=256, algorithm="randomized", random_state=0).fit_transform(x))
    stages["svd"] = time.perf_counter() - t
    t = time.perf_counter()
    top10_all(z.astype(np.float32))
    stages["top10_all"] = time.perf_counter() - t
    return stages


class MoreLikeThis:
    """Elasticsearch-style More Like This with BM25 (k1 1.2, b 0.75): a query article's top 25
    terms by TF-IDF (min_term_freq 2, min_doc_freq 5), each scored against the articles with BM25.
    Shared by the ranking (quality.py) and pair (pairs.py) comparisons."""

    def __init__(self, texts, stop_words=None):
        from scipy import sparse
        from sklearn.feature_extraction.text import TfidfVectorizer
        counter = TfidfVectorizer(stop_words=stop_words, use_idf=False, norm=None, token_pattern=r"(?u)\b\w\w+\b")
        self.tf = counter.fit_transform(texts).tocsr().astype(np.float64)
        n = self.tf.shape[0]
        self.df = np.bincount(self.tf.indices, minlength=self.tf.shape[1])
        self.idf = np.log(1 + (n - self.df + 0.5) / (self.df + 0.5))
        lengths = np.asarray(self.tf.sum(axis=1)).ravel()
        k1, b = 1.2, 0.75
        norm = k1 * (1 - b + b * lengths / lengths.mean())
        tfc = self.tf.tocoo()
        self.bm25 = sparse.csr_matrix(
            (tfc.data * (k1 + 1) / (tfc.data + norm[tfc.row]) * self.idf[tfc.col], (tfc.row, tfc.col)),
            shape=self.tf.shape)

    def terms(self, row):
        """The query terms of article `row` (column indices; empty when none qualifies)."""
        query = self.tf[row]
        terms, counts = query.indices, query.data
        keep = (counts >= 2) & (self.df[terms] >= 5)
        terms, counts = terms[keep], counts[keep]
        return terms[np.argsort(-(counts * self.idf[terms]), kind="stable")[:25]]


def gensim_lsi(texts, stages=None):
    """gensim's TfidfModel then LsiModel (256 topics) over texts tokenised like scikit-learn's
    default (two or more word characters, English stop words, min_df 2, max_df 0.5).

    Returns (MatrixSimilarity index, LSI vectors); fills `stages` with vectorise and SVD seconds."""
    import re
    from gensim import corpora, models, similarities
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
    stages = {} if stages is None else stages
    token = re.compile(r"(?u)\b\w\w+\b")
    t = time.perf_counter()
    tokenised = [[w for w in token.findall(text.lower()) if w not in ENGLISH_STOP_WORDS] for text in texts]
    dictionary = corpora.Dictionary(tokenised)
    dictionary.filter_extremes(no_below=2, no_above=0.5, keep_n=None)
    bow = [dictionary.doc2bow(words) for words in tokenised]
    tfidf = models.TfidfModel(bow)
    stages["vectorise"] = time.perf_counter() - t
    t = time.perf_counter()
    lsi = models.LsiModel(tfidf[bow], id2word=dictionary, num_topics=256, random_seed=0)
    stages["svd"] = time.perf_counter() - t
    vectors = lsi[tfidf[bow]]
    return similarities.MatrixSimilarity(vectors, num_features=256), vectors


def gensim_pipeline(texts):
    stages = {}
    index, vectors = gensim_lsi(texts, stages)
    t = time.perf_counter()
    vectors = list(vectors)
    index.num_best = 11
    for chunk_start in range(0, len(vectors), 1024):
        index[vectors[chunk_start:chunk_start + 1024]]
    stages["top10_all"] = time.perf_counter() - t
    return stages


if __name__ == "__main__":
    which, path = sys.argv[1], sys.argv[2]
    texts = read(path)
    stages = (sklearn_pipeline if which == "sklearn" else gensim_pipeline)(texts)
    print(json.dumps({k: round(v, 2) for k, v in stages.items()}))
