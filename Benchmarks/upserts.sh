#!/usr/bin/env bash
# What writes between reindexes cost by-id requests: one server on the Debian model, by-id load
# (wrk) with an empty journal, then after PUTs of N real articles (other packages' descriptions
# under new ids), each measured RUNS times in turn. Reports req/s, p99 and the server's CPU time
# per request (user + system from /proc, which other tenants of a shared machine disturb less
# than they disturb throughput). Loopback only, bounded in time.
#
# Usage: Benchmarks/upserts.sh [UPSERTS] [SECONDS] [RUNS]   (defaults 1000, 10, 3)
# Needs wrk (apt-get install -y wrk) and benchmark-data/debian (Benchmarks/datasets/debian-packages.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib/cpu.sh
for setting in "${kindred_env[@]}"; do export "${setting?}"; done
upserts=${1:-1000}
seconds=${2:-10}
runs=${3:-3}
corpus=benchmark-data/debian/corpus.jsonl
port=${KINDRED_BENCH_PORT:-18191}
command -v wrk >/dev/null || { echo "needs wrk: apt-get install -y wrk" >&2; exit 1; }
[ -f "$corpus" ] || { echo "needs $corpus: Benchmarks/datasets/debian-packages.sh benchmark-data" >&2; exit 66; }
scripts/bootstrap.sh
swift build -c release --product kindred >&2
. Benchmarks/lib/server.sh
make_work_directory
binary=.build/release/kindred

echo "building the model from $corpus…" >&2
$binary reindex --corpus "$corpus" --model "$work/model" --keep 1 >/dev/null 2>&1
PYTHONPATH=Benchmarks/lib python3 - "$corpus" "$work" "$upserts" <<'PY'
import json, random, sys
from corpus import read_articles
from wrk import write_by_id_script
articles = read_articles(sys.argv[1])
write_by_id_script([a["id"] for a in articles], f"{sys.argv[2]}/by-id.lua")
random.seed(11)
with open(f"{sys.argv[2]}/writes.jsonl", "w") as f:
    for a in random.sample(articles, int(sys.argv[3])):
        f.write(json.dumps({"id": "live-" + a["id"], "title": a.get("title", ""), "body": a["body"],
                            "section": a.get("section")}) + "\n")
PY

measure() {  # measure NAME: warm-up, then 3 x wrk -t1 -c4 for $seconds; CPU ticks of the server
  local name=$1 before w=()
  for i in 1 2 3; do wrk -t1 -c4 -d3s -s "$work/by-id.lua" "http://127.0.0.1:$port" >/dev/null & w+=($!); done
  wait "${w[@]}"
  before=$(awk '{print $14 + $15}' "/proc/$server_pid/stat")
  w=()
  for i in 1 2 3; do
    wrk -t1 -c4 -d"${seconds}s" --latency -s "$work/by-id.lua" "http://127.0.0.1:$port" >"$work/$name.$i.wrk" &
    w+=($!)
  done
  wait "${w[@]}"
  echo $(($(awk '{print $14 + $15}' "/proc/$server_pid/stat") - before)) >"$work/$name.cpu"
}

for run in $(seq 1 "$runs"); do
  echo "round $run of $runs…" >&2
  rm -f "$work/model/journal.jsonl"
  start_server "$binary" "$work/model" "$port" "$work/serve.log"
  measure "empty-$run"
  PYTHONPATH=Benchmarks/lib python3 -c 'import sys; from corpus import read_articles; from writes import put_articles; put_articles(int(sys.argv[1]), read_articles(sys.argv[2]))' "$port" "$work/writes.jsonl"
  measure "written-$run"
  stop_server
done

cpu_class_line
PYTHONPATH=Benchmarks/lib python3 - "$work" "$runs" "$upserts" "$(getconf CLK_TCK)" <<'PY'
import statistics, sys
from wrk import summary
work, runs, upserts, tick_us = sys.argv[1], int(sys.argv[2]), sys.argv[3], 1e6 / int(sys.argv[4])
def load(name):
    reports = [summary(f"{work}/{name}.{i}.wrk") for i in (1, 2, 3)]
    answered = sum(r[2] for r in reports)
    return (sum(r[0] for r in reports), max(r[1] for r in reports),
            int(open(f"{work}/{name}.cpu").read()) * tick_us / answered)
med = statistics.median
r = {kind: [load(f"{kind}-{run}") for run in range(1, runs + 1)] for kind in ("empty", "written")}
for kind, label in (("empty", "no writes"), ("written", f"{upserts} upserts")):
    rows = r[kind]
    print(f"{label:>14}: by-id {med(x[0] for x in rows):6.0f} req/s, p99 {med(x[1] for x in rows):6.2f} ms, "
          f"server CPU {med(x[2] for x in rows):5.0f} us/request (rounds: {', '.join(f'{x[0]:.0f}' for x in rows)} req/s)")
ratio = [w[0] / e[0] for e, w in zip(r["empty"], r["written"])]
cpu = [w[2] / e[2] for e, w in zip(r["empty"], r["written"])]
print(f"with {upserts} upserts: {med(ratio):.2f}x the throughput and {med(cpu):.2f}x the CPU per request of an empty journal "
      f"(rounds: {', '.join(f'{x:.2f}' for x in ratio)})")
PY
