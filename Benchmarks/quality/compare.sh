#!/usr/bin/env bash
# Quality of Kindred's defaults beside its peers, on the same corpus and relevance judgements:
# scikit-learn (TF-IDF + TruncatedSVD 100/200/300), plain TF-IDF cosine, gensim (TF-IDF + LSI 256)
# and an Elasticsearch-style More Like This with BM25. Prints one table of recall@k, nDCG@k, MRR@k
# and precision@k.
#
# Usage: Benchmarks/quality/compare.sh [CORPUS QRELS] [-- extra kindred eval options]
#   default data: the manpages-dev set built by Benchmarks/datasets/manpages-dev.sh into
#   benchmark-data/manpages-dev (needs root for apt-get the first time), then the news pairs rated
#   by people (Benchmarks/quality/pairs.sh) when ../shared/datasets/news-pairs-dev is there
# The peers run in a virtual environment created from PyPI in benchmark-data/venv.
set -euo pipefail
cd "$(dirname "$0")/../.."
corpus=${1:-}
qrels=${2:-}
shift $(( $# >= 2 ? 2 : $# ))
[ "${1:-}" = "--" ] && shift
default_data=0
if [ -z "$corpus" ]; then
  default_data=1
  corpus=benchmark-data/manpages-dev/corpus.jsonl
  qrels=benchmark-data/manpages-dev/qrels.jsonl
  if [ ! -f "$corpus" ]; then
    echo "building the manpages-dev relatedness set…" >&2
    bash Benchmarks/datasets/manpages-dev.sh benchmark-data >&2
  fi
fi
python=$(Benchmarks/peers/venv.sh)
scripts/bootstrap.sh
swift build -c release --product kindred >&2

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
.build/release/kindred eval --corpus "$corpus" --qrels "$qrels" --json "$@" >"$out/kindred.json"
"$python" Benchmarks/peers/quality.py "$corpus" "$qrels" >"$out/peers.jsonl"
"$python" - "$out" "$corpus" "$*" <<'PY'
import json, sys
out, corpus, options = sys.argv[1], sys.argv[2], sys.argv[3]
k = json.load(open(f"{out}/kindred.json"))
rows = [{"method": "kindred" + (f" ({options})" if options else " (defaults)"), **k["report"]["metrics"],
         "build_seconds": k["build_seconds"], "median_query_ms": k["report"]["median_query_milliseconds"]}]
rows[0]["mrr"] = rows[0].pop("reciprocal_rank")
rows += [json.loads(line) for line in open(f"{out}/peers.jsonl")]
kk = k["report"]["k"]
print(f"corpus: {corpus}  ({k['articles']} articles, {k['report']['queries']} queries, k = {kk})")
print(f"| method | recall@{kk} | nDCG@{kk} | MRR@{kk} | precision@{kk} | build s | query ms |")
print("|---|---|---|---|---|---|---|")
for r in rows:
    print(f"| {r['method']} | {r['recall']:.4f} | {r['ndcg']:.4f} | {r['mrr']:.4f} | {r['precision']:.4f} "
          f"| {r['build_seconds']:.2f} | {r['median_query_ms']:.3f} |")
PY

# The news pairs, with the same options: read in place from ../shared, never copied here.
if [ "$default_data" = 1 ]; then
  echo
  if [ -f ../shared/datasets/news-pairs-dev/corpus.jsonl ]; then
    Benchmarks/quality/pairs.sh ${1:+-- "$@"}
  else
    echo "news pairs: ../shared/datasets/news-pairs-dev is not beside this checkout; skipped"
  fi
fi
