#!/usr/bin/env bash
# Kindred's reindex (which includes every article's related list) and `neighbors -k 10`, beside the
# scikit-learn and gensim pipelines that do the same job, in one invocation on the same corpus:
# each stage's time, each run's wall time and peak memory (/usr/bin/time), and Kindred's ratios.
#
# Usage: Benchmarks/side-by-side.sh [CORPUS]   (default: Debian's package descriptions, ~64k articles)
# The peers run in benchmark-data/venv (created from PyPI on first use); PEERS="sklearn" leaves
# gensim out. KINDRED_EMULATE=avx2 runs it as on an AVX2 CPU without VNNI (Benchmarks/lib/cpu.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib/cpu.sh
peers=${PEERS:-sklearn gensim}
corpus=${1:-benchmark-data/debian/corpus.jsonl}
if [ ! -f "$corpus" ]; then
  echo "building the Debian package-description corpus (needs root for apt-get update)…" >&2
  bash Benchmarks/datasets/debian-packages.sh benchmark-data/debian >&2
fi
python=$(Benchmarks/peers/venv.sh)
scripts/bootstrap.sh
swift build -c release --product kindred >&2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Kindred twice: as the peers do it (the top 10 of every article by LSA cosine alone: no TF-IDF or
# headline blend, no hub cap), and
# with its defaults (top-100 lists re-ranked with the TF-IDF and headline blend, hub cap).
/usr/bin/time -f "%e %M" -o "$out/kindred.time" env "${kindred_env[@]}" .build/release/kindred reindex --corpus "$corpus" \
  --model "$out/models10" --keep 1 --neighbors 10 --rerank-depth 10 --hub-cap 0 --lexical-weight 0 --headline-weight 0 \
  >/dev/null 2>"$out/kindred.err"
/usr/bin/time -f "%e %M" -o "$out/kindred-default.time" env "${kindred_env[@]}" .build/release/kindred reindex --corpus "$corpus" \
  --model "$out/models" --keep 1 >/dev/null 2>"$out/kindred-default.err"
/usr/bin/time -f "%e %M" -o "$out/neighbors.time" env "${kindred_env[@]}" .build/release/kindred neighbors -k 10 --model "$out/models10" >/dev/null
for peer in $peers; do
  /usr/bin/time -f "%e %M" -o "$out/$peer.time" env "${peer_env[@]}" "$python" Benchmarks/peers/pipelines.py \
    "$peer" "$corpus" >"$out/$peer.json"
done
cpu_class_line
"$python" - "$out" "$corpus" "$peers" <<'PY'
import json, re, sys
out, corpus, peers = sys.argv[1], sys.argv[2], sys.argv[3].split()
def timing(name):
    wall, kb = open(f"{out}/{name}.time").read().split()
    return float(wall), int(kb) / 1024
def stages_of(name):
    err = open(f"{out}/{name}.err").read()
    return ({s: float(v) for s, v in re.findall(r"^(\w+): done in ([\d.]+) s", err, re.M)},
            {s: int(v) for s, v in re.findall(r"^(\w+): done in [\d.]+ s, peak (\d+) MB", err, re.M)})
err = open(f"{out}/kindred.err").read()
blas = re.search(r"^BLAS: (.*)$", err, re.M).group(1)
search = re.search(r"^search: (.*)$", err, re.M)
print(f"corpus: {corpus}\nKindred BLAS: {blas}\nKindred search: {search.group(1) if search else 'unknown'}")
print("| pipeline | vectorise s | SVD s | top-k of every article s | wall s | peak MiB |")
print("|---|---|---|---|---|---|")
kindred = {}
for name, label in (("kindred", "top 10 by LSA cosine (as the peers)"), ("kindred-default", "defaults (top 100, re-ranked)")):
    stages, peaks = stages_of(name)
    kindred[name] = timing(name) + (peaks,)
    vectorise = sum(stages.get(s, 0) for s in ("read", "analysis", "vocabulary", "weighting"))
    w, m, _ = kindred[name]
    print(f"| kindred reindex, {label} | {vectorise:.2f} | {stages.get('svd', 0):.2f} | {stages.get('neighbors', 0):.2f} | {w:.2f} | {m:.0f} |")
nw, nm = timing("neighbors")
print(f"| kindred neighbors -k 10 (reads the lists) | | | | {nw:.2f} | {nm:.0f} |")
rows = {}
for peer in peers:
    s = json.load(open(f"{out}/{peer}.json")); w, m = timing(peer); rows[peer] = (w, m)
    print(f"| {peer} | {s['vectorise']:.2f} | {s['svd']:.2f} | {s['top10_all']:.2f} | {w:.2f} | {m:.0f} |")
print("\nKindred's peak resident memory per stage (MB, as the peers):",
      ", ".join(f"{k} {v}" for k, v in kindred["kindred"][2].items()))
for peer, (w, m) in rows.items():
    for name, label in (("kindred", "as the peers"), ("kindred-default", "defaults")):
        kw, km, _ = kindred[name]
        print(f"kindred ({label}) vs {peer}: {w / kw:.2f}x faster, {km / m:.2f}x the peak memory")
PY
