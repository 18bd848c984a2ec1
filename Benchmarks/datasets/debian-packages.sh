#!/usr/bin/env bash
# Builds the scale corpus from Debian's package descriptions: OUT_DIR/corpus.jsonl, about 64,000
# articles (26 MB of text) on Debian 12 (id = package, title = short description, body = long
# description, section = archive section). Used by Benchmarks/side-by-side.sh, reindex.sh,
# load.sh and scale/run.sh, and by docs/quality.md's topical check.
#
# Usage: Benchmarks/datasets/debian-packages.sh OUT_DIR   (root for apt-get update; under a minute)
set -euo pipefail
out=${1:?usage: debian-packages.sh OUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
# The long descriptions are only in the Translation-en lists, which apt fetches on request.
if [ "$(id -u)" -eq 0 ]; then
  apt-get update -q -o Acquire::Languages=en >/dev/null
else
  echo "not root: using the apt lists as they are (run 'sudo apt-get update -o Acquire::Languages=en' for the long descriptions)" >&2
fi
python3 "$here/debian_packages.py" "$out"
