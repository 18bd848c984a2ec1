#!/usr/bin/env bash
# Chaos run: three replicas on a PostgreSQL journal take writes (titles full of entities and
# markup, ids with accents in both Unicode normalisations, edits of one article in the same second,
# withdrawals) while the run SIGKILLs replicas, restarts PostgreSQL, runs `reindex --journal` and
# inserts poison rows into kindred_journal. At the end every replica must serve every acknowledged
# write, the same way (Benchmarks/reliability/chaos.py; it prints the counts and exits non-zero on
# any difference). Everything runs on 127.0.0.1 in a temporary directory, bounded in time.
#
# Usage: Benchmarks/chaos.sh [SECONDS] [BINARY]
#   SECONDS  how long the writes and the chaos go on; default 45 (scripts/test.sh's short form);
#            the long form is 600 or more
#   BINARY   the kindred to run; default .build/debug/kindred, built if missing
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-45}
binary=${2:-.build/debug/kindred}
[ -x "$binary" ] || { scripts/bootstrap.sh; swift build --product kindred >&2; }
out=$(mktemp -d /tmp/kindred-chaos.XXXXXX)
chmod 755 "$out"
cleanup() {
  scripts/databases.sh stop "$out/databases" || true
  rm -rf "$out"
}
trap cleanup EXIT
scripts/databases.sh start "$out/databases" >/dev/null
# shellcheck disable=SC1091
source "$out/databases/env"
echo "CPU: $(scripts/cpu-class.sh)"
python3 Benchmarks/reliability/chaos.py --binary "$binary" --seconds "$seconds" --work "$out" \
  --journal "$KINDRED_TEST_POSTGRESQL_URL" --postgresql-control "$KINDRED_TEST_POSTGRESQL_CONTROL"
