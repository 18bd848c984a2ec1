#!/usr/bin/env bash
# Times `kindred reindex` end to end (read, analyse, TF-IDF, SVD, write) and reports the median wall
# time, median peak memory and per-stage times over several runs, with the BLAS that ran.
#
# Usage: Benchmarks/reindex.sh [CORPUS] [RUNS]
#   CORPUS  a .jsonl file or directory; default: Debian's package descriptions (~64k articles),
#           built once into benchmark-data/debian by Benchmarks/datasets/debian-packages.sh
#   RUNS    default 3
# KINDRED_EMULATE=avx2 runs it as on an AVX2 CPU without VNNI (Benchmarks/lib/cpu.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib/cpu.sh
corpus=${1:-}
runs=${2:-3}
if [ -z "$corpus" ]; then
  corpus=benchmark-data/debian/corpus.jsonl
  if [ ! -f "$corpus" ]; then
    echo "building the Debian package-description corpus (needs root for apt-get update)…" >&2
    bash Benchmarks/datasets/debian-packages.sh benchmark-data/debian >&2
  fi
fi
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time: apt-get install -y time" >&2; exit 1; }
scripts/bootstrap.sh
swift build -c release --product kindred >&2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

for run in $(seq 1 "$runs"); do
  /usr/bin/time -f "%e %M" -o "$out/time.$run" \
    env "${kindred_env[@]}" .build/release/kindred reindex --corpus "$corpus" --model "$out/models" --keep 1 \
    >"$out/stdout.$run" 2>"$out/stderr.$run"
done

cpu_class_line
python3 - "$out" "$runs" "$corpus" <<'PY'
import re, statistics, sys
out, runs, corpus = sys.argv[1], int(sys.argv[2]), sys.argv[3]
walls, rss, stages = [], [], {}
for r in range(1, runs + 1):
    wall, kb = open(f"{out}/time.{r}").read().split()
    walls.append(float(wall)); rss.append(int(kb) / 1024)
    for stage, seconds in re.findall(r"^(\w+): done in ([\d.]+) s", open(f"{out}/stderr.{r}").read(), re.M):
        stages.setdefault(stage, []).append(float(seconds))
err = open(f"{out}/stderr.1").read()
blas = re.search(r"^BLAS: (.*)$", err, re.M)
summary = open(f"{out}/stdout.1").read()
print(f"corpus:      {corpus}")
for line in summary.splitlines():
    if line.split(":")[0].strip() in ("articles", "terms", "dimensions", "explained"):
        print(f"{line.strip()}")
search = re.search(r"^search: (.*)$", err, re.M)
print(f"BLAS:        {blas.group(1) if blas else 'unknown'}")
print(f"search:      {search.group(1) if search else 'unknown'}")
print(f"runs:        {runs}")
print(f"wall time:   median {statistics.median(walls):.2f} s  (runs: {', '.join(f'{w:.2f}' for w in walls)})")
print(f"peak memory: median {statistics.median(rss):.0f} MiB")
for stage, values in stages.items():
    print(f"  {stage:<11} median {statistics.median(values):.2f} s")
PY
