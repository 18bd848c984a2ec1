#!/usr/bin/env bash
# Soak test: a real `kindred serve` on 127.0.0.1 under a bounded mix of reads, drafts, upserts,
# deletes, override changes and a reload every few seconds. Afterwards it checks that every
# acknowledged write is there — before and after a SIGKILL and restart — and prints 5xx counts,
# latency and the server's memory over time.
#
# Usage: Benchmarks/reliability/soak.sh [MINUTES] [CORPUS] [MODEL_DIR]
#   MINUTES    default 5
#   CORPUS     JSON Lines or directory the model was built from; default corpus/
#   MODEL_DIR  copied to a temporary directory first (never changed); default models/default
set -euo pipefail
cd "$(dirname "$0")/../.."
minutes=${1:-5}
corpus=${2:-corpus}
model=${3:-models/default}
port=${KINDRED_SOAK_PORT:-18383}
scripts/bootstrap.sh
swift build -c release --product kindred >&2

. Benchmarks/lib/server.sh
make_work_directory
cp -r "$model" "$work/models"
rm -f "$work/models/journal.jsonl" "$work/models/overrides.json"

start_server .build/release/kindred "$work/models" "$port" "$work/server.log"
echo "model:    $(curl -fsS "http://127.0.0.1:$port/readyz")"
echo "BLAS:     $(.build/release/kindred inspect --model "$work/models" --show-dimensions 0 | grep '^BLAS now:' | cut -d: -f2-)"
echo "soak:     $minutes min on 127.0.0.1:$port, server pid $server_pid"
PYTHONPATH=Benchmarks/lib python3 Benchmarks/reliability/soak.py drive "$port" "$server_pid" "$minutes" "$corpus" "$work"

echo "check:    SIGKILL the server, restart it, and read every acknowledged write back"
kill -KILL "$server_pid"; wait "$server_pid" 2>/dev/null || true
server_pid=""
start_server .build/release/kindred "$work/models" "$port" "$work/server.log"
PYTHONPATH=Benchmarks/lib python3 Benchmarks/reliability/soak.py verify "$port" "$work"
