#!/usr/bin/env bash
# The test command: installs what is missing, builds, runs every test (Swift Testing), then the
# editor's console end to end in headless Chromium (scripts/browser-test.sh; skip it with
# KINDRED_SKIP_BROWSER=1). Arguments go to `swift test` (e.g. --filter RankingControlTests).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
swift build --build-tests
swift test --skip-build "$@"
if [ "${KINDRED_SKIP_BROWSER:-0}" != 1 ] && [ $# -eq 0 ]; then
  scripts/browser-test.sh
fi
