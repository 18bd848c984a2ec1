#!/usr/bin/env bash
# The database source against the JSON Lines corpus it was loaded from, and the sync's latency.
#
#   1. Loads a corpus into a throw-away PostgreSQL (scripts/databases.sh) as a plain `articles`
#      table, then runs `kindred reindex --corpus` and `kindred reindex --source postgresql://…`
#      alternately, RUNS times each, and prints their median wall time and peak memory and the
#      ratios source/corpus (targets: ≤ 1.3× time, ≤ 1.2× memory).
#   2. Serves the model with --sync-query --sync-interval INTERVAL, changes 1,000 rows in one
#      transaction, and times commit → the last changed article served with its new title, three
#      times (target: ≤ INTERVAL + 1 s).
#
# Usage: Benchmarks/sources.sh [CORPUS] [RUNS] [INTERVAL]
#   CORPUS    a .jsonl file; default: Debian's package descriptions (benchmark-data/debian)
#   RUNS      default 3; INTERVAL default 5 (seconds)
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib/cpu.sh
corpus=${1:-benchmark-data/debian/corpus.jsonl}
runs=${2:-3}
interval=${3:-5}
if [ ! -f "$corpus" ] && [ "$corpus" = benchmark-data/debian/corpus.jsonl ]; then
  bash Benchmarks/datasets/debian-packages.sh benchmark-data/debian >&2
fi
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time: apt-get install -y time" >&2; exit 1; }
scripts/bootstrap.sh
swift build -c release --product kindred >&2
out=$(mktemp -d /tmp/kindred-sources.XXXXXX)
chmod 755 "$out"  # the database servers run as their own users
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  scripts/databases.sh stop "$out/databases"
  rm -rf "$out"
}
trap cleanup EXIT
scripts/databases.sh start "$out/databases"
source "$out/databases/env"
url=$KINDRED_TEST_POSTGRESQL_URL

echo "loading $corpus into PostgreSQL…" >&2
python3 - "$corpus" "$out/articles.csv" <<'PY'
import csv, json, sys
def array(values):
    return "{" + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "}"
with open(sys.argv[1], encoding="utf-8") as lines, open(sys.argv[2], "w", newline="", encoding="utf-8") as out:
    writer = csv.writer(out)
    for line in lines:
        if not line.strip():
            continue
        a = json.loads(line)
        writer.writerow([a["id"], a.get("title"), a.get("body"), a.get("url"), a.get("published_at"),
                         a.get("section"), a.get("language"), array(a.get("tags", []))])
PY
psql -q "$url" <<SQL
CREATE TABLE articles (id text PRIMARY KEY, title text, body text, url text, published_at timestamptz,
  section text, language text, tags text[], updated_at timestamptz NOT NULL DEFAULT now() - interval '1 day',
  withdrawn boolean NOT NULL DEFAULT false);
\copy articles (id, title, body, url, published_at, section, language, tags) FROM '$out/articles.csv' WITH (FORMAT csv)
CREATE INDEX articles_updated_at ON articles (updated_at);
ANALYZE articles;
SQL

for run in $(seq 1 "$runs"); do
  # Alternate which goes first, so neither always runs on a warmer machine.
  if [ $((run % 2)) -eq 1 ]; then order="corpus source"; else order="source corpus"; fi
  for kind in $order; do
    if [ "$kind" = corpus ]; then input=(--corpus "$corpus"); else input=(--source "$url"); fi
    /usr/bin/time -f "%e %M" -o "$out/$kind.time.$run" env "${kindred_env[@]}" .build/release/kindred reindex \
      "${input[@]}" --model "$out/models-$kind" --keep 1 >"$out/$kind.stdout.$run" 2>"$out/$kind.stderr.$run"
  done
done

# The sync: serve the source's model and change 1,000 rows at once.
port=$((20000 + RANDOM % 40000))
env "${kindred_env[@]}" .build/release/kindred serve --model "$out/models-source" --port "$port" --log-level warning \
  --source "$url" --sync-query "SELECT * FROM articles WHERE updated_at >= :since" --sync-interval "$interval" \
  2>"$out/serve.log" &
server_pid=$!
for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
for round in 1 2 3; do
  last=$(psql -qtA "$url" -c "SELECT id FROM articles ORDER BY id OFFSET $((round * 1000 + 999)) LIMIT 1")
  title="changed in round $round"
  start=$(date +%s.%N)
  psql -q "$url" -c "UPDATE articles SET title = '$title', updated_at = now() WHERE id IN (SELECT id FROM articles ORDER BY id OFFSET $((round * 1000)) LIMIT 1000)"
  encoded=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$last")
  until curl -fs "http://127.0.0.1:$port/v1/articles/$encoded" | grep -q "$title"; do sleep 0.05; done
  echo "$(date +%s.%N) $start" >> "$out/sync.times"
  sleep 1
done
applied=$(curl -fs "http://127.0.0.1:$port/v1/status" | python3 -c 'import json, sys; s = json.load(sys.stdin)["sync"]; print(s["upserted"], s["errors"])')

cpu_class_line
echo "servers:     $KINDRED_TEST_DATABASE_VERSIONS"
python3 - "$out" "$runs" "$corpus" "$interval" "$applied" <<'PY'
import re, statistics, sys
out, runs, corpus, interval, applied = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4]), sys.argv[5]
def load(kind):
    walls, rss = [], []
    for r in range(1, runs + 1):
        wall, kb = open(f"{out}/{kind}.time.{r}").read().split()
        walls.append(float(wall)); rss.append(int(kb) / 1024)
    read = [float(m) for r in range(1, runs + 1)
            for m in re.findall(r"^read: done in ([\d.]+) s", open(f"{out}/{kind}.stderr.{r}").read(), re.M)]
    return walls, rss, read
summary = open(f"{out}/source.stdout.1").read()
articles = re.search(r"articles:\s+(\d+)", summary)
print(f"corpus:      {corpus} ({articles.group(1) if articles else '?'} articles)")
c, s = load("corpus"), load("source")
for name, (walls, rss, read) in (("--corpus", c), ("--source", s)):
    print(f"{name:<12} wall median {statistics.median(walls):.2f} s (runs {', '.join(f'{w:.2f}' for w in walls)}), "
          f"read stage {statistics.median(read):.2f} s, peak {statistics.median(rss):.0f} MiB")
print(f"source/corpus: time {statistics.median(s[0]) / statistics.median(c[0]):.2f}x (target <= 1.3), "
      f"peak memory {statistics.median(s[1]) / statistics.median(c[1]):.2f}x (target <= 1.2)")
lat = [float(end) - float(start) for end, start in (l.split() for l in open(f"{out}/sync.times"))]
print(f"sync of 1,000 changed rows, interval {interval:g} s: commit -> served in "
      f"{', '.join(f'{x:.2f}' for x in lat)} s, median {statistics.median(lat):.2f} s "
      f"(target <= {interval + 1:g} s); server's counts: upserted, errors = {applied}")
PY
