#!/usr/bin/env bash
# HTTP load test with wrk against a local `kindred serve`, bounded in time, on 127.0.0.1 only.
# Reports requests/s and p50/p99 latency for related-by-id (GET; then with one request in ten
# filtered to its article's section, which the precomputed lists can't always answer) and draft
# queries (POST).
#
# Usage: Benchmarks/load.sh [CORPUS] [MODEL_DIR] [SECONDS] [CONNECTIONS]
#   CORPUS       JSON Lines the model was built from (ids and titles are drawn from it); default corpus/
#   MODEL_DIR    default models/default
#   SECONDS      per scenario, default 10
#   CONNECTIONS  default 16
# Each scenario first runs unmeasured for KINDRED_BENCH_WARMUP seconds (default 5): right after a
# large model loads, the first seconds measure page faults and the allocator returning the
# loader's memory, not the steady state.
# Needs wrk (apt-get install -y wrk). KINDRED_EMULATE=avx2 runs the server as on an AVX2 CPU
# without VNNI (Benchmarks/lib/cpu.sh). KINDRED_SERVE_ARGS adds serve options, e.g.
# "--search approximate" or "--search exact".
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib/cpu.sh
# The server and `inspect` below run with the emulation's caps; wrk ignores them.
for setting in "${kindred_env[@]}"; do export "${setting?}"; done
corpus=${1:-corpus}
model=${2:-models/default}
seconds=${3:-10}
connections=${4:-16}
port=${KINDRED_BENCH_PORT:-18181}
warmup=${KINDRED_BENCH_WARMUP:-5}
command -v wrk >/dev/null || { echo "needs wrk: apt-get install -y wrk" >&2; exit 1; }
scripts/bootstrap.sh
swift build -c release --product kindred >&2

. Benchmarks/lib/server.sh
make_work_directory

# Before the server starts: `inspect` loads the whole model in a process of its own, and the
# seconds after a large one exits (3.5 GB at a million articles) raised the first scenario's p99
# from about 5 ms to 20 ms.
inspected=$(.build/release/kindred inspect --model "$model" --show-dimensions 0)

# The server writes to the model directory only on PUT/DELETE, which this test doesn't send.
# shellcheck disable=SC2086
start_server .build/release/kindred "$model" "$port" "$work/server.log" ${KINDRED_SERVE_ARGS:-}

PYTHONPATH=Benchmarks/lib python3 - "$corpus" "$work" <<'PY'
import json, sys
from urllib.parse import quote
from corpus import read_articles
from wrk import lua_string, write_by_id_script
corpus, work = sys.argv[1], sys.argv[2]
articles = read_articles(corpus)
titles = [a.get("title") or a.get("body", "")[:80] for a in articles]
pick = write_by_id_script([a["id"] for a in articles], f"{work}/by-id.lua")
# One request in ten asks for its article's own section: a filter the precomputed list can't
# always answer, so those search (what the issue's "fallbacks included" measures).
section = lambda n, i: "&section=" + quote(articles[i]["section"], safe="") if n % 10 == 0 and articles[i].get("section") else ""
write_by_id_script([a["id"] for a in articles], f"{work}/by-id-filtered.lua", extra=section)
with open(f"{work}/draft.lua", "w") as f:
    bodies = [json.dumps({"title": titles[i], "body": titles[(i * 7 + 3) % len(titles)], "k": 10}) for i in pick]
    f.write("local bodies = {" + ",".join(lua_string(b) for b in bodies) + "}\n")
    f.write("wrk.method = 'POST'\nwrk.headers['Content-Type'] = 'application/json'\nlocal n = 0\n")
    f.write("request = function()\n  n = n % #bodies + 1\n  return wrk.format('POST', '/v1/related', nil, bodies[n])\nend\n")
PY

echo "model:       $(curl -fsS "http://127.0.0.1:$port/readyz")"
grep -m1 -o 'backend=[^[]*' "$work/server.log" || true
cpu_class_line
echo "BLAS:       $(grep '^BLAS now:' <<<"$inspected" | cut -d: -f2-)"
echo "search:     $(grep '^search:' <<<"$inspected" | cut -d: -f2-) (inspect's default)"
echo "serve with: ${KINDRED_SERVE_ARGS:-the defaults}; $(grep '^approximate index:' <<<"$inspected")"
echo "load:        wrk -t2 -c$connections -d${seconds}s on 127.0.0.1 (server and wrk share the machine's cores)"
echo "warm-up:     ${warmup}s unmeasured per scenario"
for scenario in by-id by-id-filtered draft; do
  [ "$warmup" -gt 0 ] && wrk -t2 -c"$connections" -d"${warmup}s" -s "$work/$scenario.lua" "http://127.0.0.1:$port" >/dev/null
  wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$work/$scenario.lua" "http://127.0.0.1:$port" >"$work/$scenario.out"
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/$scenario.out")
  p50=$(awk '$1 == "50%" {print $2}' "$work/$scenario.out")
  p99=$(awk '$1 == "99%" {print $2}' "$work/$scenario.out")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' "$work/$scenario.out" | tr '\n' ' ')
  printf '%-14s %10s req/s   p50 %8s   p99 %8s   %s\n' "$scenario" "$rps" "$p50" "$p99" "${errors:-no errors}"
  if [ "$scenario" != draft ]; then
    # Warm-up and measured requests together; a by-id request searches when its list can't answer.
    searched=$(curl -fsS "http://127.0.0.1:$port/metrics" | awk '/^kindred_by_id_searches_total/ {print $2}')
    echo "by-id requests that searched instead of reading their list so far, warm-ups included: ${searched:-0}"
  fi
done
