#!/usr/bin/env bash
# What the semantic channel costs a nightly reindex: on one corpus, in one run,
#   1. `reindex` on words alone (today's cost),
#   2. the first `reindex --encoder` (every English article embedded),
#   3. a second `reindex --encoder` with CHANGED % of the articles edited (the rest reused),
# with wall time and peak memory each, and the ratio of 3 to 1 (the target is ≤ 1.25).
#
# Usage: Benchmarks/encoder/reindex.sh [CORPUS] [CHANGED]
#   CORPUS   .jsonl; default Debian's package descriptions (benchmark-data/debian, ~64k articles)
#   CHANGED  percent of articles edited before the second build; default 1
set -euo pipefail
cd "$(dirname "$0")/../.."
source Benchmarks/lib/cpu.sh
corpus=${1:-}
changed=${2:-1}
scripts/bootstrap.sh
swift build -c release --product kindred >&2
if [ -z "$corpus" ]; then
  [ -f benchmark-data/debian/corpus.jsonl ] || bash Benchmarks/datasets/debian-packages.sh benchmark-data/debian >&2
  corpus=benchmark-data/debian/corpus.jsonl
fi
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time: apt-get install -y time" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
encoder=models/encoders/all-MiniLM-L6-v2

run() {  # name, model dir, corpus, extra options…
  local name=$1 model=$2 input=$3
  shift 3
  /usr/bin/time -f "%e %M" -o "$out/$name.time" env "${kindred_env[@]}" .build/release/kindred reindex \
    --corpus "$input" --model "$model" --keep 2 "$@" >"$out/$name.out" 2>"$out/$name.err"
  echo "$name: $(cat "$out/$name.time") $(grep -m1 '^semantic: embedded' "$out/$name.err" || true)" >&2
}
run words "$out/words" "$corpus"
run first "$out/semantic" "$corpus" --encoder "$encoder"
python3 - "$corpus" "$out/changed.jsonl" "$changed" <<'PY'
import json, random, sys
source, target, percent = sys.argv[1], sys.argv[2], float(sys.argv[3])
lines = [l for l in open(source, encoding="utf-8") if l.strip()]
chosen = set(random.Random(7).sample(range(len(lines)), int(len(lines) * percent / 100)))
with open(target, "w", encoding="utf-8") as f:
    for i, line in enumerate(lines):
        if i in chosen:
            article = json.loads(line)
            article["body"] = article.get("body", "") + " Updated with a correction."
            line = json.dumps(article, ensure_ascii=False) + "\n"
        f.write(line)
PY
sleep 1  # a new version name (they are by the second)
run second "$out/semantic" "$out/changed.jsonl" --encoder "$encoder"

cpu_class_line
python3 - "$out" "$changed" <<'PY'
import re, sys
out, changed = sys.argv[1], sys.argv[2]
rows = {}
for name in ["words", "first", "second"]:
    wall, kb = open(f"{out}/{name}.time").read().split()
    err = open(f"{out}/{name}.err").read()
    m = re.search(r"semantic: embedded (\d+) article\(s\), reused (\d+)", err)
    rows[name] = (float(wall), int(kb) / 1024, m.group(1) if m else "-", m.group(2) if m else "-")
print(f"{'reindex':44}{'wall s':>9}{'peak MiB':>10}{'embedded':>10}{'reused':>9}")
labels = {"words": "words alone", "first": "first with the encoder",
          "second": f"second with the encoder, {changed} % changed"}
for name, (wall, mib, embedded, reused) in rows.items():
    print(f"{labels[name]:44}{wall:>9.1f}{mib:>10.0f}{embedded:>10}{reused:>9}")
print(f"second / words alone: {rows['second'][0] / rows['words'][0]:.2f}x (target <= 1.25)")
PY
