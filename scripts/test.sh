#!/usr/bin/env bash
# The test command: installs what is missing, checks the format, builds, runs every test (Swift Testing), runs the
# numeric suites (linear algebra, engine) again with the CPU capped at AVX2 so that a machine of
# one CPU class also checks the other's int8 and kernel paths, then the editor's console end to
# end in headless Chromium (scripts/browser-test.sh; skip it with KINDRED_SKIP_BROWSER=1). Before
# the browser, a 45-second chaos run on three replicas (Benchmarks/chaos.sh; KINDRED_SKIP_CHAOS=1).
# Arguments go to `swift test` (e.g. --filter RankingControlTests) and skip the extra passes.
# The source tests get a PostgreSQL and a MariaDB of their own (scripts/databases.sh: Debian's
# servers, installed when missing, on free loopback ports in a temporary directory), stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
if [ -z "${KINDRED_TEST_POSTGRESQL_URL:-}" ]; then
  databases=$(mktemp -d /tmp/kindred-databases.XXXXXX)
  trap 'scripts/databases.sh stop "$databases"' EXIT
  scripts/databases.sh start "$databases"
  # shellcheck disable=SC1091
  source "$databases/env"
fi
# Style first: the toolchain's swift-format with .swift-format (scripts/format.sh fixes most of it).
swift format lint --strict --recursive Sources Tests Benchmarks Package.swift
# The search seam's shape (functions, nesting, file length) and comments without measurements.
python3 scripts/check-shape.py Sources/KindredEngine/Search
scripts/check-comments.sh
swift build --build-tests
echo "CPU: $(scripts/cpu-class.sh)"
if [ $# -gt 0 ]; then
  swift test --skip-build "$@"
  exit 0
fi
# The suites that measure against a clock (a sync within two intervals, a replica's write on the
# others within a second, a request's deadline) run after the rest, one test at a time, so that
# the CPU-bound suites running in parallel don't stand in for the latency they check: on 2 cores
# they kept both cooperative threads busy for 150 s, and the deadline's 0.2 s timer waited for one.
timed='SourceSyncTests|ReplicaTests|LimitTests'
swift test --skip-build --skip "$timed"
swift test --skip-build --no-parallel --filter "$timed"

# oneDNN honours ONEDNN_MAX_CPU_ISA and Kindred's C kernels KINDRED_MAX_CPU_ISA; OpenBLAS gets
# its AVX2 kernel. On an AVX2-only CPU this repeats the first pass, as it should.
echo "numeric suites again, capped at AVX2"
ONEDNN_MAX_CPU_ISA=AVX2 KINDRED_MAX_CPU_ISA=AVX2 OPENBLAS_CORETYPE=Haswell \
  swift test --skip-build --filter 'KindredLinearAlgebraTests|KindredEngineTests'

# The chaos run's short form: three replicas taking writes through SIGKILLs, PostgreSQL restarts,
# reindexes and poison rows must end serving every acknowledged write alike (Benchmarks/chaos.sh;
# skip it with KINDRED_SKIP_CHAOS=1).
if [ "${KINDRED_SKIP_CHAOS:-0}" != 1 ]; then
  Benchmarks/chaos.sh 45 .build/debug/kindred
fi

if [ "${KINDRED_SKIP_BROWSER:-0}" != 1 ]; then
  scripts/browser-test.sh
fi
