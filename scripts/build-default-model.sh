#!/usr/bin/env bash
# Rebuilds the bundled default model (models/default) from the sample corpus (corpus/), keeping only
# the new version. Run it after changing the corpus or anything that changes rankings; the test
# "the committed default model is what the sample corpus builds today" fails until you do.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
swift build -c release --product kindred
.build/release/kindred reindex --corpus corpus --model models/default --keep 1
