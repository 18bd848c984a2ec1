#!/usr/bin/env bash
# What embedding each write costs: PUTs one at a time over HTTP to a server on the sample model
# with the semantic channel, with the encoder (each write embedded and its vector journalled) and
# without it (words alone), alternated, ROUNDS rounds of COUNT PUTs each; p50 and p90 per round.
#
# Usage: Benchmarks/encoder/writes.sh [CORPUS] [COUNT] [ROUNDS]
#   (default: Debian's package descriptions, 200 PUTs, 2 rounds; titles and the first 2,000
#   characters of bodies). Needs the encoder (scripts/fetch-encoder.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
source Benchmarks/lib/cpu.sh
source Benchmarks/lib/server.sh
corpus=${1:-benchmark-data/debian/corpus.jsonl}
count=${2:-200}
rounds=${3:-2}
encoder=models/encoders/all-MiniLM-L6-v2
port=${KINDRED_BENCH_PORT:-18182}
[ -f "$corpus" ] || bash Benchmarks/datasets/debian-packages.sh benchmark-data/debian >&2
[ -d "$encoder" ] || scripts/fetch-encoder.sh >&2
swift build -c release --product kindred >&2
make_work_directory
env "${kindred_env[@]}" .build/release/kindred reindex --corpus corpus --model "$work/model" --encoder "$encoder" \
  >/dev/null 2>"$work/reindex.log"
cpu_class_line
for round in $(seq 1 "$rounds"); do
  for setting in words encoder; do
    rm -rf "$work/served" && cp -r "$work/model" "$work/served"
    arguments=()
    [ "$setting" = encoder ] && arguments=(--encoder "$PWD/$encoder")
    # Started in $work, where no default encoder folder is: "words" serves without one.
    root=$PWD
    cd "$work"
    start_server "$root/.build/release/kindred" served "$port" server.log "${arguments[@]}"
    cd "$root"
    printf '%-8s round %s: ' "$setting" "$round"
    python3 - "$port" "$count" "$corpus" <<'PY'
import json, statistics, sys, time, urllib.request
port, count, corpus = sys.argv[1], int(sys.argv[2]), sys.argv[3]
articles = [json.loads(line) for _, line in zip(range(count), open(corpus))]
times = []
for i, article in enumerate(articles):
    body = json.dumps({"title": article.get("title", ""), "body": article.get("body", "")[:2000], "body_format": "text"})
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/articles/write-{i}", data=body.encode(),
                                     method="PUT", headers={"Content-Type": "application/json"})
    start = time.perf_counter()
    urllib.request.urlopen(request).read()
    times.append((time.perf_counter() - start) * 1000)
times.sort()
print(f"{count} PUTs, p50 {statistics.median(times):.2f} ms, p90 {times[int(0.9 * len(times))]:.2f} ms")
PY
    stop_server
  done
done
