#!/usr/bin/env bash
# The approximate index per archive size (every size built with --graph-from 0, so each has its
# graph): its build time and size, the beam and probes the build
# calibrated, and `kindred recall` on 1,000 held-out drafts and 1,000 by-id searches (recall@10
# of the ranked lists against exact search, and each search's time in process on one core).
#
# Usage: Benchmarks/approximate.sh [SIZES…]        default: 10000 100000 300000
# Environment: KINDRED_EMULATE=avx2 (Benchmarks/lib/cpu.sh); QUERIES (default 1000);
#   MODEL_<N>=DIR to measure an existing model of that size instead of reindexing
#   (e.g. MODEL_1000000=benchmark-data/models-1m: a million-article reindex takes 6–10 minutes).
# Corpora are generated as in Benchmarks/scale/run.sh; drafts are 1,000 more generated articles
# (another seed), so they are texts the model does not hold.
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib/cpu.sh
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(10000 100000 300000)
queries=${QUERIES:-1000}
python=$(Benchmarks/peers/venv.sh)
scripts/bootstrap.sh
swift build -c release --product kindred >&2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cpu_class_line
"$python" Benchmarks/scale/generate.py benchmark-data/debian/corpus.jsonl 1000 "$out/drafts.jsonl" --seed 99
for n in "${sizes[@]}"; do
  corpus=benchmark-data/scale/$n.jsonl
  [ -f "$corpus" ] || "$python" Benchmarks/scale/generate.py benchmark-data/debian/corpus.jsonl "$n" "$corpus"
  given="MODEL_$n"
  model=${!given:-}
  if [ -z "$model" ]; then
    model=$out/model-$n
    echo "reindexing $n articles…" >&2
    env "${kindred_env[@]}" .build/release/kindred reindex --corpus "$corpus" --model "$model" --keep 1 --graph-from 0 \
      2>"$out/$n.err" >/dev/null || { cat "$out/$n.err" >&2; exit 1; }
  fi
  echo "== $n articles"
  "$python" - "$model" <<'PY'
import glob, json, os, struct, sys
directory = sys.argv[1]
version = sorted(d for d in glob.glob(os.path.join(directory, "*")) if os.path.isdir(d))
path = version[-1] if version else directory
manifest = json.load(open(os.path.join(path, "manifest.json")))
stages = manifest["stage_seconds"]
total = sum(stages.values())
with open(os.path.join(path, "model.kdm"), "rb") as f:
    head = f.read(4096)
count = struct.unpack_from("<I", head, 12)[0]
sizes = {head[16 + 36 * i:20 + 36 * i].decode(): struct.unpack_from("<Q", head, 28 + 36 * i)[0] for i in range(count)}
file_size = os.path.getsize(os.path.join(path, "model.kdm"))
index = {name: stages.get(name, 0) for name in ("lists", "graph", "calibration")}
spent = sum(index.values())
print(f"index stages {spent:.1f} s (lists {index['lists']:.1f}, graph {index['graph']:.1f}, calibration "
      f"{index['calibration']:.1f}) of {total:.1f} s in stages ({100 * spent / total:.1f} %); "
      f"section {sizes.get('IVFL', 0) / 1e6:.1f} MB of {file_size / 1e6:.0f} MB ({100 * sizes.get('IVFL', 0) / file_size:.2f} %)")
PY
  env "${kindred_env[@]}" .build/release/kindred recall --model "$model" --drafts "$out/drafts.jsonl" \
    --queries "$queries" | tail -n +2
done
