#!/usr/bin/env bash
# Comments point to docs instead of quoting measurements, which drift: at most 5 comment lines in
# Sources/ may carry a figure with a unit of time, memory or throughput (definitions such as a
# default limit). docs/performance.md holds the measurements, with their commands and CPUs.
# Usage: scripts/check-comments.sh    (exit 1 and the lines found when there are more)
set -euo pipefail
cd "$(dirname "$0")/.."
pattern='//.*[0-9][0-9.,]* ?(ms|GiB|MiB|GB|MB|req/s|GOP/s|GFLOP/s)\b'
limit=5
found=$(grep -rnE "$pattern" Sources || true)
count=$(printf '%s' "$found" | grep -c . || true)
if (( count > limit )); then
  printf '%s\n' "$found"
  echo "$count comment lines quote figures (at most $limit): point to docs/performance.md instead" >&2
  exit 1
fi
