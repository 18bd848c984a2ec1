#!/usr/bin/env bash
# The main job: builds Kindred (release) and serves the bundled default model on 127.0.0.1:8080.
# Extra arguments go to `kindred serve` (e.g. --port 9000, --model /var/lib/kindred/models).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
swift build -c release --product kindred
exec .build/release/kindred serve "$@"
