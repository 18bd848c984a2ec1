#!/usr/bin/env bash
# Kindred beside its peers on news pairs rated by people: Pearson's r and Spearman's rho between
# each pair's score and the rating, over all pairs, English, and every language
# (`kindred eval --pairs`; the peers in Benchmarks/peers/pairs.py, the same way).
#
# Usage: Benchmarks/quality/pairs.sh [CORPUS PAIRS] [-- extra kindred eval options]
#   default data: ../shared/datasets/news-pairs-dev (SemEval-2022 Task 8 sample), read in place:
#   its texts may not be copied into the project. Without it, give CORPUS and PAIRS.
# The peers run in a virtual environment created from PyPI in benchmark-data/venv.
set -euo pipefail
cd "$(dirname "$0")/../.."
corpus=${1:-}
pairs=${2:-}
shift $(( $# >= 2 ? 2 : $# ))
[ "${1:-}" = "--" ] && shift
if [ -z "$corpus" ]; then
  corpus=../shared/datasets/news-pairs-dev/corpus.jsonl
  pairs=../shared/datasets/news-pairs-dev/pairs.tsv
  if [ ! -f "$corpus" ]; then
    echo "no rated pairs: ../shared/datasets/news-pairs-dev is not beside this checkout; give CORPUS PAIRS" >&2
    exit 66
  fi
fi
python=$(Benchmarks/peers/venv.sh)
scripts/bootstrap.sh
swift build -c release --product kindred >&2

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
.build/release/kindred eval --corpus "$corpus" --pairs "$pairs" --json "$@" >"$out/kindred.json"
PYTHONPATH=Benchmarks/peers "$python" Benchmarks/peers/pairs.py "$corpus" "$pairs" >"$out/peers.jsonl"
echo "CPU: $(scripts/cpu-class.sh)"
"$python" - "$out" "$corpus" "$*" <<'PY'
import json, sys
out, corpus, options = sys.argv[1], sys.argv[2], sys.argv[3]
k = json.load(open(f"{out}/kindred.json"))
rows = [{"method": "kindred" + (f" ({options})" if options else " (defaults)"), **k["correlation"]}]
rows += [json.loads(line) for line in open(f"{out}/peers.jsonl")]
languages = [g["language"] for g in rows[0]["languages"]]
def cell(group):
    if group is None or group["pearson"] is None:
        return "-"
    return f"{group['pearson']:.3f} ({group['spearman']:.3f})"
print(f"corpus: {corpus} ({k['articles']} articles, {rows[0]['overall']['pairs']} pairs); Pearson (Spearman)")
print("| method | all | " + " | ".join(languages) + " |")
print("|---" * (len(languages) + 2) + "|")
for r in rows:
    by = {g["language"]: g for g in r["languages"]}
    print(f"| {r['method']} | {cell(r['overall'])} | " + " | ".join(cell(by.get(l)) for l in languages) + " |")
PY
