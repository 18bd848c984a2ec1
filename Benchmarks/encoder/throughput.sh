#!/usr/bin/env bash
# Encoder throughput, Kindred (`kindred embed`) against sentence-transformers on PyTorch, on the same
# articles, word-piece limit and thread count, alternating RUNS times; prints medians and the ratio.
#
# Usage: Benchmarks/encoder/throughput.sh [CORPUS] [ARTICLES] [MAX_TOKENS] [RUNS]
#   CORPUS      .jsonl; default: the first ARTICLES of Debian's package descriptions
#               (Benchmarks/datasets/debian-packages.sh, built once into benchmark-data/debian)
#   ARTICLES    default 1000;  MAX_TOKENS default 128;  RUNS default 3
# PyTorch runs on 2 threads (the cores Kindred has). KINDRED_EMULATE=avx2 runs Kindred as on an
# AVX2 CPU (Benchmarks/lib/cpu.sh); KINDRED_TORCH_PYTHON names a Python with sentence-transformers.
set -euo pipefail
cd "$(dirname "$0")/../.."
source Benchmarks/lib/cpu.sh
corpus=${1:-}
articles=${2:-1000}
max_tokens=${3:-128}
runs=${4:-3}
scripts/bootstrap.sh
swift build -c release --product kindred >&2
if [ -z "$corpus" ]; then
  [ -f benchmark-data/debian/corpus.jsonl ] || bash Benchmarks/datasets/debian-packages.sh benchmark-data/debian >&2
  corpus=benchmark-data/debian/corpus.jsonl
fi
python=$(Benchmarks/encoder/venv.sh)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
head -n "$articles" "$corpus" > "$out/corpus.jsonl"
encoder=models/encoders/all-MiniLM-L6-v2

for run in $(seq 1 "$runs"); do
  env "${kindred_env[@]}" .build/release/kindred embed --corpus "$out/corpus.jsonl" --encoder "$encoder" \
    --encoder-max-tokens "$max_tokens" 2>&1 >/dev/null | tail -1 >> "$out/kindred"
  env "${peer_env[@]}" "$python" Benchmarks/encoder/torch_throughput.py "$out/corpus.jsonl" "$encoder" "$max_tokens" 2 \
    2>/dev/null | tail -1 >> "$out/torch"
done

cpu_class_line
echo "BLAS:        $(.build/release/kindred inspect 2>/dev/null | grep -m1 '^BLAS' | cut -d: -f2- | sed 's/^ *//')"
python3 - "$out" "$articles" "$max_tokens" "$runs" <<'PY'
import re, statistics, sys
out, articles, max_tokens, runs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
def rates(name):
    rows = [re.search(r"([\d.]+) articles/s, (\d+) word pieces/s \(([\d.]+) word pieces", l) for l in open(f"{out}/{name}")]
    rows = [r for r in rows if r]
    if not rows:
        sys.exit(f"{name} printed no throughput; see its output")
    return statistics.median(float(r[1]) for r in rows), statistics.median(float(r[2]) for r in rows), float(rows[0][3])
k, t = rates("kindred"), rates("torch")
print(f"articles:    {articles}, word-piece limit {max_tokens}, {k[2]:.1f} word pieces an article; median of {runs} runs")
print(f"{'':22}{'articles/s':>12}{'word pieces/s':>15}")
print(f"{'kindred embed':22}{k[0]:>12.1f}{k[1]:>15.0f}")
print(f"{'sentence-transformers':22}{t[0]:>12.1f}{t[1]:>15.0f}")
print(f"ratio:       {k[0] / t[0]:.2f}x torch")
PY
