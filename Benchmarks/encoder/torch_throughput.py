#!/usr/bin/env python3
"""sentence-transformers on PyTorch over a Kindred corpus: the peer `Benchmarks/encoder/throughput.sh`
times Kindred's encoder against. Encodes each article's title + "\\n" + body (as `kindred embed`
does), cut at MAX_TOKENS word pieces, on THREADS threads, and prints one line:

  torch: N articles in S s: A articles/s, P word pieces/s (W word pieces an article), torch X, threads T

Usage: torch_throughput.py CORPUS.jsonl ENCODER_DIR [MAX_TOKENS=128] [THREADS=2]
"""
import json
import sys
import time

import torch
from sentence_transformers import SentenceTransformer


def main():
    corpus, encoder = sys.argv[1], sys.argv[2]
    max_tokens = int(sys.argv[3]) if len(sys.argv) > 3 else 128
    threads = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    torch.set_num_threads(threads)
    texts = []
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                article = json.loads(line)
                texts.append(article.get("title", "") + "\n" + article.get("body", ""))
    model = SentenceTransformer(encoder, device="cpu")
    model.max_seq_length = max_tokens
    pieces = sum(len(model.tokenizer(t, truncation=True, max_length=max_tokens)["input_ids"]) for t in texts)
    model.encode(texts[:64], batch_size=32)  # warm-up: first-call allocations and kernel choice
    start = time.perf_counter()
    model.encode(texts, batch_size=32, convert_to_numpy=True)
    seconds = time.perf_counter() - start
    print(
        f"torch: {len(texts)} articles in {seconds:.2f} s: {len(texts) / seconds:.1f} articles/s, "
        f"{pieces / seconds:.0f} word pieces/s ({pieces / len(texts):.1f} word pieces an article), "
        f"torch {torch.__version__}, threads {threads}"
    )


if __name__ == "__main__":
    main()
