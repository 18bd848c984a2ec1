#!/usr/bin/env bash
# Replicas sharing a PostgreSQL journal, on this machine (loopback only, bounded in time).
#
#   1. by-id load (wrk) on one server with its local journal, then on one replica with
#      --journal postgresql://…, each while Benchmarks/replicas/writes.py writes 100 articles/s to
#      it: the by-id p99 each way (target: replication adds ≤ 10 %);
#   2. by-id load, reads only, on one replica and then spread over three (target: not lower), and
#      the same with 100 writes/s, which every replica applies;
#   3. 100 writes/s rotated over the three replicas, each timed until the two others serve it
#      (target: p99 ≤ 1 s).
#
# Usage: Benchmarks/replicas.sh [CORPUS] [SECONDS] [RUNS]
#   CORPUS   default: Debian's package descriptions (benchmark-data/debian), the model is built here
#   SECONDS  per measured scenario, default 10 (after 5 s of unmeasured warm-up)
#   RUNS     rounds of all scenarios, default 5: figures are medians, ratios the median of each
#            round's ratio (peers measured minutes apart, not days)
# Needs wrk (apt-get install -y wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib/cpu.sh
for setting in "${kindred_env[@]}"; do export "${setting?}"; done
corpus=${1:-benchmark-data/debian/corpus.jsonl}
seconds=${2:-10}
runs=${3:-5}
warmup=5
command -v wrk >/dev/null || { echo "needs wrk: apt-get install -y wrk" >&2; exit 1; }
scripts/bootstrap.sh
swift build -c release --product kindred >&2
out=$(mktemp -d /tmp/kindred-replicas.XXXXXX)
chmod 755 "$out"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  scripts/databases.sh stop "$out/databases"
  rm -rf "$out"
}
trap cleanup EXIT
scripts/databases.sh start "$out/databases"
source "$out/databases/env"
journal=$KINDRED_TEST_POSTGRESQL_URL
binary=.build/release/kindred

echo "building the model from $corpus…" >&2
$binary reindex --corpus "$corpus" --model "$out/local" --keep 1 >/dev/null 2>&1
$binary reindex --corpus "$corpus" --model "$out/shared" --keep 1 --journal "$journal" >/dev/null 2>&1

PYTHONPATH=Benchmarks/lib python3 - "$corpus" "$out" <<'PY'
import sys
from corpus import read_articles
from wrk import write_by_id_script
write_by_id_script([a["id"] for a in read_articles(sys.argv[1])], f"{sys.argv[2]}/by-id.lua")
PY

start() {  # start PORT MODEL_DIR [SERVE ARGS...]
  local port=$1 model=$2
  shift 2
  $binary serve --model "$model" --port "$port" --log-level warning "$@" 2>>"$out/serve-$port.log" &
  pids+=($!)
  for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "server on $port did not start" >&2
  return 1
}

stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  pids=()
}

by_id() {  # by_id NAME WRITES_PER_SECOND PORT [PORT ...]: one wrk -t1 -c4 per port given, at once
  local name=$1 writes=$2
  shift 2
  local warming=()
  for port in "$@"; do
    wrk -t1 -c4 -d"${warmup}s" -s "$out/by-id.lua" "http://127.0.0.1:$port" >/dev/null &
    warming+=($!)
  done
  wait "${warming[@]}"  # only these: a bare wait would wait for the servers too
  local runs=() i=0
  if [ "$writes" -gt 0 ]; then
    python3 Benchmarks/replicas/writes.py "$writes" "$seconds" "$1" >"$out/$name.writes" &
    runs+=($!)
  else
    echo '{"rate": 0, "failed": 0}' >"$out/$name.writes"
  fi
  local before
  before=$(server_cpu_ticks)
  for port in "$@"; do
    i=$((i + 1))
    wrk -t1 -c4 -d"${seconds}s" --latency -s "$out/by-id.lua" "http://127.0.0.1:$port" >"$out/$name.$i.wrk" &
    runs+=($!)
  done
  wait "${runs[@]}"
  echo $(($(server_cpu_ticks) - before)) >"$out/$name.cpu"
}

# CPU time (user + system, clock ticks) the running servers have used: divided by the requests
# answered, it is what a request costs, which the machine's other tenants disturb far less than
# they disturb throughput.
server_cpu_ticks() {
  local total=0 pid
  for pid in "${pids[@]}"; do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  echo "$total"
}

# Every scenario starts from the model alone: no writes in the journal (each write applied makes a
# by-id request consider one more article), servers started afresh.
fresh() {
  stop_all
  rm -f "$out/local/journal.jsonl"
  psql -q "$journal" -c "TRUNCATE kindred_journal"
}
three_replicas() {
  start 18321 "$out/shared" --journal "$journal"
  start 18322 "$out/shared" --journal "$journal"
  start 18323 "$out/shared" --journal "$journal"
}
# Three wrk processes of 4 connections each in every scenario, so the load generator costs the same.
for run in $(seq 1 "$runs"); do
  echo "round $run of $runs…" >&2
  # 1. One server, local journal, then one replica on the shared journal, 100 writes/s each.
  fresh; start 18301 "$out/local"
  by_id "local-$run" 100 18301 18301 18301
  fresh; start 18311 "$out/shared" --journal "$journal"
  by_id "replica-$run" 100 18311 18311 18311
  # 2. Reads only on one replica, then on three (and on three servers without a shared journal:
  #    what three processes cost on these cores); then three with writes.
  fresh; start 18311 "$out/shared" --journal "$journal"
  by_id "replica-reads-$run" 0 18311 18311 18311
  fresh; three_replicas
  by_id "three-reads-$run" 0 18321 18322 18323
  fresh; start 18331 "$out/local"; start 18332 "$out/local"; start 18333 "$out/local"
  by_id "three-local-reads-$run" 0 18331 18332 18333
  fresh; three_replicas
  by_id "three-$run" 100 18321 18322 18323
  # 3. Visibility of writes on the other replicas.
  python3 Benchmarks/replicas/writes.py --visibility 100 "$seconds" 18321 18322 18323 >"$out/visibility-$run.json"
done
stop_all

cpu_class_line
echo "servers:     ${KINDRED_TEST_DATABASE_VERSIONS%%;*}"
echo "corpus:      $corpus; 3 x wrk -t1 -c4 (on one server, or one per replica); writes.py PUTs to the first server"
PYTHONPATH=Benchmarks/lib python3 - "$out" "$runs" "$(getconf CLK_TCK)" <<'PY'
import json, statistics, sys
from wrk import summary
out, runs = sys.argv[1], int(sys.argv[2])
tick_us = 1e6 / int(sys.argv[3])
def load(name, run):
    reports = [summary(f"{out}/{name}-{run}.{i}.wrk") for i in (1, 2, 3)]
    answered = sum(r[2] for r in reports)
    cpu_us = int(open(f"{out}/{name}-{run}.cpu").read()) * tick_us / answered
    return sum(r[0] for r in reports), max(r[1] for r in reports), json.load(open(f"{out}/{name}-{run}.writes")), cpu_us
names = ["local", "replica", "replica-reads", "three-reads", "three-local-reads", "three"]
r = {name: [load(name, run) for run in range(1, runs + 1)] for name in names}
med = statistics.median
for name in names:
    rps = [x[0] for x in r[name]]; p99 = [x[1] for x in r[name]]; cpu = [x[3] for x in r[name]]
    writes = med([x[2]["rate"] for x in r[name]]); failed = sum(x[2]["failed"] for x in r[name])
    print(f"{name:<18} by-id median {med(rps):6.0f} req/s ({', '.join(f'{x:.0f}' for x in rps)}), "
          f"p99 median {med(p99):6.2f} ms ({', '.join(f'{x:.2f}' for x in p99)}), "
          f"server CPU {med(cpu):4.0f} us/request; writes {writes}/s, {failed} failed")
def ratio(a, b, i):
    values = [x[i] / y[i] for x, y in zip(r[a], r[b])]
    return f"{med(values):.2f}x (rounds: {', '.join(f'{v:.2f}' for v in values)})"
print(f"replication's cost on by-id p99, 100 writes/s: {ratio('replica', 'local', 1)} the local journal's (target <= 1.10)")
print(f"three replicas' by-id throughput, reads only: {ratio('three-reads', 'replica-reads', 0)} one replica's (target >= 1.0)")
print(f"  server CPU per by-id request, three replicas vs one, reads only: {ratio('three-reads', 'replica-reads', 3)}; "
      f"three servers without a shared journal: {ratio('three-local-reads', 'replica-reads', 3)}")
print(f"  three servers without a shared journal: {ratio('three-local-reads', 'replica-reads', 0)}; "
      f"three replicas with 100 writes/s (each applies all): {ratio('three', 'replica', 0)}")
v = [json.load(open(f"{out}/visibility-{run}.json")) for run in range(1, runs + 1)]
print(f"write -> served by the two other replicas, 100 writes/s: p50 {med([x['visible_p50_ms'] for x in v])} ms, "
      f"p99 {med([x['visible_p99_ms'] for x in v])} ms (rounds: {', '.join(str(x['visible_p99_ms']) for x in v)}), "
      f"max {max(x['visible_max_ms'] for x in v)} ms; {sum(x['written'] for x in v)} written, "
      f"{sum(x['failed'] for x in v)} failed (target p99 <= 1000 ms)")
PY
