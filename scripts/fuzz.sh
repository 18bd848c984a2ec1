#!/usr/bin/env bash
# Fuzzes Kindred's input parsers with libFuzzer for a bounded time per target and reports what
# it found. Targets (Tests/Fuzz/): corpus-reader, analyzer, query (query strings of the related
# route), draft (request bodies of POST /v1/related and PUT /v1/articles/{id}), model-file.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default 60 s, every target)
#
# Builds with -sanitize=fuzzer into .build-fuzz/ (the first build takes several minutes). Inputs
# that grow coverage collect in .build-fuzz/corpus/<target>/; a crash is saved as
# .build-fuzz/findings/<target>-crash-<hash>. Fix it, then copy the input into
# Tests/Fuzz/Regressions/<target>/: the normal build's replayers run that directory in CI
# (scripts/test.sh), so the finding stays fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(corpus-reader analyzer query draft model-file)
scripts/bootstrap.sh
mkdir -p .build-fuzz/findings
status=0
for target in "${targets[@]}"; do
  [ -d "Tests/Fuzz/Corpus/$target" ] || { echo "unknown target '$target'" >&2; exit 64; }
  KINDRED_FUZZING=1 swift build --scratch-path .build-fuzz --sanitize=fuzzer -Xswiftc -DFUZZING --product "fuzz-$target" >&2
  case "$target" in
    model-file) max_len=16384 ;;
    corpus-reader) max_len=8192 ;;
    *) max_len=4096 ;;
  esac
  work=".build-fuzz/corpus/$target"
  mkdir -p "$work"
  log=".build-fuzz/fuzz-$target.log"
  set +e
  ".build-fuzz/debug/fuzz-$target" "$work" "Tests/Fuzz/Corpus/$target" "Tests/Fuzz/Regressions/$target" \
    -max_total_time="$seconds" -max_len="$max_len" -rss_limit_mb=4096 -timeout=10 \
    -artifact_prefix=".build-fuzz/findings/$target-" -print_final_stats=1 >"$log" 2>&1
  code=$?
  set -e
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo "?")
  if [ "$code" -eq 0 ]; then
    printf '%-14s %6s s  %9s inputs  coverage %5s  no finding\n' "$target" "$seconds" "$runs" "$coverage"
  else
    status=1
    printf '%-14s %6s s  %9s inputs  FINDING (exit %s): %s\n' "$target" "$seconds" "$runs" "$code" \
      "$(ls -t .build-fuzz/findings/"$target"-* 2>/dev/null | head -1)"
    grep -m5 -E 'ERROR|Fatal error|Precondition|SUMMARY' "$log" | sed 's/^/    /'
  fi
done
exit $status
