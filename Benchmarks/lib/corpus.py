"""Reading a corpus (a .jsonl file or a directory of them) in the benchmark scripts."""
import json
import os


def read_articles(corpus):
    """Every article of the corpus, as decoded JSON objects, in file order."""
    files = [corpus] if os.path.isfile(corpus) else sorted(
        os.path.join(corpus, f) for f in os.listdir(corpus) if f.endswith(".jsonl"))
    articles = []
    for path in files:
        with open(path, encoding="utf-8") as f:
            articles.extend(json.loads(line) for line in f if line.strip())
    return articles
