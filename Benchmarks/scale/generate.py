"""Scales a real corpus to any number of articles, for the reindex and HTTP runs at 100k-1M.

    python3 Benchmarks/scale/generate.py SOURCE.jsonl COUNT OUT.jsonl [--seed N]

Each generated article takes a source article as its topic and keeps that article's length
(drawn again with ±30 % jitter) and section. Its words come from three places:
  * 55 % from the source article's own words (what keeps related articles related),
  * 40 % from the whole source corpus by frequency (the corpus's Zipf curve, common words and all),
  * 5 % from a synthetic long tail: word number r of a Zipf(1.2) law over ten million made-up
    words, so that the vocabulary keeps growing with the corpus as real archives do (Heaps' law)
    instead of stopping at the source's.
Titles are 4-9 words drawn the same way from the source title and body. Dates spread over ten
years. Output is Kindred's corpus format, one JSON object per line; the same seed gives the same file.
"""
import argparse
import json
import re
import sys

import numpy as np

WORD = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*", re.UNICODE)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source")
    parser.add_argument("count", type=int)
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args()
    if args.count < 1:
        sys.exit("count must be at least 1")

    with open(args.source, encoding="utf-8") as f:
        sources = [json.loads(line) for line in f if line.strip()]
    if not sources:
        sys.exit(f"no article in {args.source}")
    words_of = [WORD.findall(a.get("body") or "") or WORD.findall(a.get("title") or "") or ["empty"] for a in sources]
    titles_of = [WORD.findall(a.get("title") or "") or w[:6] for a, w in zip(sources, words_of)]

    counts = {}
    for words in words_of:
        for w in words:
            counts[w] = counts.get(w, 0) + 1
    vocabulary = list(counts)
    # Sampling by frequency is a binary search in the cumulative distribution, built once.
    cumulative = np.cumsum(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
    cumulative /= cumulative[-1]
    rng = np.random.default_rng(args.seed)
    start = np.datetime64("2016-01-01T00:00:00")
    tail_letters = "bcdfghjklmnprstvz"

    def tail_word(rank):
        # A pronounceable made-up word per rank: consonant-vowel pairs from the rank's digits.
        out, r = [], int(rank)
        while True:
            out.append(tail_letters[r % len(tail_letters)] + "aeiou"[(r // len(tail_letters)) % 5])
            r //= len(tail_letters) * 5
            if r == 0:
                break
        return "".join(out)

    with open(args.out, "w", encoding="utf-8") as out:
        for i in range(args.count):
            s = int(rng.integers(len(sources)))
            own = words_of[s]
            length = max(5, int(len(own) * rng.uniform(0.7, 1.3)))
            kind = rng.random(length)
            words = []
            n_own = int((kind < 0.55).sum())
            n_global = int(((kind >= 0.55) & (kind < 0.95)).sum())
            n_tail = length - n_own - n_global
            words.extend(own[j] for j in rng.integers(len(own), size=n_own))
            words.extend(vocabulary[j] for j in np.searchsorted(cumulative, rng.random(n_global), side="right"))
            words.extend(tail_word(r) for r in np.minimum(rng.zipf(1.2, size=n_tail), 10_000_000))
            rng.shuffle(words)
            title_pool = titles_of[s] + own[:12]
            title = " ".join(title_pool[j] for j in rng.integers(len(title_pool), size=int(rng.integers(4, 10))))
            article = {
                "id": f"g{i:07d}",
                "title": title[:1].upper() + title[1:],
                "body": " ".join(words),
                "published_at": str(start + np.timedelta64(int(rng.integers(10 * 365 * 86400)), "s")) + "Z",
            }
            if sources[s].get("section"):
                article["section"] = sources[s]["section"]
            out.write(json.dumps(article, ensure_ascii=False) + "\n")
            if (i + 1) % 100_000 == 0:
                print(f"{i + 1} articles", file=sys.stderr)


if __name__ == "__main__":
    main()
