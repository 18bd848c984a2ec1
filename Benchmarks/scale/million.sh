#!/usr/bin/env bash
# A million articles with the defaults, from a clone: `kindred reindex` with no options (its time
# and peak), then a freshly started `kindred serve` with no options:
#   1. the first minute after start, by id at -c16 (wrk --latency: the histogram);
#   2. after a warm-up of the same load: drafts at -c2, by id at -c16, by id with one request in
#      ten filtered to its article's section at -c16;
#   3. recall@10 of drafts against the same requests with exact=true (the lists' recall against
#      exact lists is the build's own, which `inspect` prints);
#   4. 2 and 3 again after 1,000 and after 10,000 journal writes (PUTs of generated articles the
#      model does not hold).
# Prints one table. Loopback only; every load is bounded in time.
#
# Usage: Benchmarks/scale/million.sh [ARTICLES]        default 1000000
# Environment: MODEL=DIR measures an existing model directory (a copy: the writes go to its
#   journal) instead of reindexing; LOAD_SECONDS per measured load (10); WARMUP seconds (5); FIRST
#   seconds of the first-minute run (60); RECALL_QUERIES (300); KINDRED_EMULATE=avx2
#   (Benchmarks/lib/cpu.sh). Needs wrk and /usr/bin/time; the corpus is generated as in
#   Benchmarks/scale/run.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
source Benchmarks/lib/cpu.sh
for setting in "${kindred_env[@]}"; do export "${setting?}"; done
n=${1:-1000000}
seconds=${LOAD_SECONDS:-10}
warmup=${WARMUP:-5}
first=${FIRST:-60}
queries=${RECALL_QUERIES:-300}
port=${KINDRED_BENCH_PORT:-18231}
command -v wrk >/dev/null || { echo "needs wrk: apt-get install -y wrk" >&2; exit 1; }
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time: apt-get install -y time" >&2; exit 1; }
source=benchmark-data/debian/corpus.jsonl
[ -f "$source" ] || bash Benchmarks/datasets/debian-packages.sh benchmark-data/debian >&2
python=$(Benchmarks/peers/venv.sh)
scripts/bootstrap.sh
swift build -c release --product kindred >&2
binary=.build/release/kindred
. Benchmarks/lib/server.sh
make_work_directory
mkdir -p benchmark-data/scale
corpus=benchmark-data/scale/$n.jsonl
[ -f "$corpus" ] || "$python" Benchmarks/scale/generate.py "$source" "$n" "$corpus"
# Texts the model does not hold: 300 drafts, and 10,000 articles to write.
"$python" Benchmarks/scale/generate.py "$source" "$queries" "$work/drafts.jsonl" --seed 99 >/dev/null
"$python" Benchmarks/scale/generate.py "$source" 10000 "$work/writes.jsonl" --seed 98 >/dev/null

cpu_class_line
if [ -n "${MODEL:-}" ]; then
  cp -r "$MODEL" "$work/model"
  echo "reindex:     (measuring $MODEL)"
else
  echo "reindexing $n articles with the defaults…" >&2
  env -u KINDRED_ENCODER /usr/bin/time -f "%e %M" -o "$work/reindex.time" "$binary" reindex --corpus "$corpus" \
    --model "$work/model" --keep 1 >"$work/reindex.out" 2>"$work/reindex.err" || { cat "$work/reindex.err" >&2; exit 1; }
  read -r wall kb <"$work/reindex.time"
  echo "reindex:     ${wall} s wall, peak $((kb / 1024)) MiB"
  grep -E "^note:|^BLAS" "$work/reindex.err" | sed 's/^/             /'
fi
"$binary" inspect --model "$work/model" --show-dimensions 0 | grep -E "^(search|approximate index|related lists)" \
  | sed 's/^/             /'

PYTHONPATH=Benchmarks/lib python3 - "$corpus" "$work" <<'PY'
import json, sys
from urllib.parse import quote
from corpus import read_articles
from wrk import lua_string, write_by_id_script
corpus, work = sys.argv[1], sys.argv[2]
articles = read_articles(corpus)
titles = [a.get("title") or a.get("body", "")[:80] for a in articles]
ids = [a["id"] for a in articles]
pick = write_by_id_script(ids, f"{work}/by-id.lua")
section = lambda n, i: "&section=" + quote(articles[i]["section"], safe="") if n % 10 == 0 and articles[i].get("section") else ""
write_by_id_script(ids, f"{work}/by-id-filtered.lua", extra=section)
with open(f"{work}/draft.lua", "w") as f:
    bodies = [json.dumps({"title": titles[i], "body": titles[(i * 7 + 3) % len(titles)], "k": 10}) for i in pick]
    f.write("local bodies = {" + ",".join(lua_string(b) for b in bodies) + "}\n")
    f.write("wrk.method = 'POST'\nwrk.headers['Content-Type'] = 'application/json'\nlocal n = 0\n")
    f.write("request = function()\n  n = n % #bodies + 1\n  return wrk.format('POST', '/v1/related', nil, bodies[n])\nend\n")
PY

start=$(date +%s.%N)
start_server "$binary" "$work/model" "$port" "$work/server.log"
ready=$(python3 -c "import time; print(f'{time.time() - $start:.1f}')")
echo "serve:       ready ${ready} s after start; $(curl -fsS "http://127.0.0.1:$port/readyz")"
echo "load:        wrk -t2 on 127.0.0.1 (server and wrk share the cores); ${warmup} s warm-up, then ${seconds} s"
echo
echo "first ${first} s after start, by id at -c16 (no warm-up):"
wrk -t2 -c16 -d"${first}s" --latency -s "$work/by-id.lua" "http://127.0.0.1:$port" >"$work/first.out"
awk '/Latency Distribution/ {on = 1; next} on && /%/ {printf "  %s %s", $1, $2} /requests in/ {print ""; print "  " $0}' \
  "$work/first.out"

measure() {  # measure LABEL: the three loads, then recall through HTTP
  local label=$1
  for scenario in draft by-id by-id-filtered; do
    local c=16
    [ "$scenario" = draft ] && c=2
    wrk -t2 -c$c -d"${warmup}s" -s "$work/$scenario.lua" "http://127.0.0.1:$port" >/dev/null
    wrk -t2 -c$c -d"${seconds}s" --latency -s "$work/$scenario.lua" "http://127.0.0.1:$port" >"$work/$scenario.out"
    printf '%s|%s|c%s|%s|%s|%s\n' "$label" "$scenario" "$c" \
      "$(awk '$1 == "50%" {print $2}' "$work/$scenario.out")" "$(awk '$1 == "99%" {print $2}' "$work/$scenario.out")" \
      "$(awk '/Requests\/sec/ {print $2}' "$work/$scenario.out")" >>"$work/table"
  done
  python3 - "$port" "$work" "$label" >>"$work/recall" <<'PY'
import http.client, json, sys
port, work, label = int(sys.argv[1]), sys.argv[2], sys.argv[3]
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
def ask(method, path, body=None):
    conn.request(method, path, body=body, headers={"Content-Type": "application/json"} if body else {})
    response = conn.getresponse()
    data = response.read()
    if response.status != 200:
        sys.exit(f"{method} {path} answered {response.status}: {data[:200]}")
    return [r["id"] for r in json.loads(data)["results"]]
def recall(pairs):
    found = sum(len(set(a) & set(e)) for a, e in pairs)
    wanted = sum(len(e) for a, e in pairs)
    return found / max(wanted, 1)
drafts = [json.loads(line) for line in open(f"{work}/drafts.jsonl")]
draft_pairs = []
for d in drafts:
    body = {"title": d.get("title", ""), "body": d.get("body", ""), "k": 10}
    approximate = ask("POST", "/v1/related", json.dumps(body))
    exact = ask("POST", "/v1/related", json.dumps(dict(body, exact=True)))
    draft_pairs.append((approximate, exact))
print(f"{label}|{recall(draft_pairs):.4f}")
PY
}

write() {  # write FROM TO: PUT articles FROM..<TO of writes.jsonl, one at a time, under "w-" ids
  PYTHONPATH=Benchmarks/lib python3 -c 'import sys; from corpus import read_articles; from writes import put_articles; put_articles(int(sys.argv[1]), read_articles(sys.argv[2])[int(sys.argv[3]):int(sys.argv[4])], "w-")' \
    "$port" "$work/writes.jsonl" "$1" "$2"
}

measure "0 writes"
write 0 1000
measure "1,000 writes"
write 1000 10000
measure "10,000 writes"

echo
echo "| journal | load | p50 | p99 | req/s |"
echo "|---|---|---|---|---|"
awk -F'|' '{printf "| %s | %s at -%s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6}' "$work/table"
echo
echo "| journal | recall@10 of drafts |"
echo "|---|---|"
awk -F'|' '{printf "| %s | %s |\n", $1, $2}' "$work/recall"
echo "(the answers against the same requests with exact=true, $queries drafts; by id, a request reads"
echo " its list even with exact=true: the lists' recall is the build's, in the related lists line above)"
