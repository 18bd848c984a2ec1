#!/usr/bin/env bash
# The scaling table of docs/performance.md: `kindred reindex` on generated corpora of growing size
# (Benchmarks/scale/generate.py, from Debian's package descriptions), with each stage's time and
# peak resident memory, the whole run's wall time and peak (/usr/bin/time), and the BLAS.
#
# Usage: Benchmarks/scale/run.sh [SIZES…]        default: 10000 100000 300000 1000000
# Environment: KINDRED_SCALE_ARGS   extra reindex options, e.g. "--neighbors 10 --rerank-depth 10"
# Generated corpora are kept in benchmark-data/scale/N.jsonl (1M articles: about 490 MB).
set -euo pipefail
cd "$(dirname "$0")/../.."
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(10000 100000 300000 1000000)
source=benchmark-data/debian/corpus.jsonl
if [ ! -f "$source" ]; then
  echo "building the Debian package-description corpus (needs root for apt-get update)…" >&2
  bash Benchmarks/datasets/debian-packages.sh benchmark-data/debian >&2
fi
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time: apt-get install -y time" >&2; exit 1; }
python=$(Benchmarks/peers/venv.sh)  # numpy for the generator
scripts/bootstrap.sh
swift build -c release --product kindred >&2
mkdir -p benchmark-data/scale
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

for n in "${sizes[@]}"; do
  corpus=benchmark-data/scale/$n.jsonl
  if [ ! -f "$corpus" ]; then
    echo "generating $n articles…" >&2
    "$python" Benchmarks/scale/generate.py "$source" "$n" "$corpus.tmp" && mv "$corpus.tmp" "$corpus"
  fi
  echo "reindexing $n articles…" >&2
  # shellcheck disable=SC2086
  /usr/bin/time -f "%e %M" -o "$out/$n.time" .build/release/kindred reindex --corpus "$corpus" \
    --model "$out/models-$n" --keep 1 ${KINDRED_SCALE_ARGS:-} >"$out/$n.out" 2>"$out/$n.err" || {
      cat "$out/$n.err" >&2; exit 1; }
  grep -E "done in|search:|note:" "$out/$n.err" >&2
  rm -rf "$out/models-$n"
done

"$python" - "$out" "${sizes[@]}" <<'PY'
import re, sys
out, sizes = sys.argv[1], sys.argv[2:]
stages = ["read", "analysis", "vocabulary", "weighting", "svd", "vectors", "neighbors", "write"]
blas = None
print("| articles | terms | " + " | ".join(stages) + " | wall | peak |")
print("|---" * (len(stages) + 4) + "|")
for n in sizes:
    err = open(f"{out}/{n}.err").read()
    blas = blas or re.search(r"^BLAS: (.*)$", err, re.M).group(1)
    found = {s: (float(t), int(p)) for s, t, p in re.findall(r"^(\w+): done in ([\d.]+) s, peak (\d+) MB", err, re.M)}
    wall, kb = open(f"{out}/{n}.time").read().split()
    summary = open(f"{out}/{n}.out").read()
    terms = re.search(r"^terms:\s+(\d+)", summary, re.M)
    cells = [f"{found[s][0]:.1f} s / {found[s][1]} MB" if s in found else "—" for s in stages]
    print(f"| {int(n):,} | {int(terms.group(1)) if terms else 0:,} | " + " | ".join(cells) + f" | {float(wall):.1f} s | {int(kb) // 1024} MiB |")
print(f"\nBLAS: {blas}")
PY
