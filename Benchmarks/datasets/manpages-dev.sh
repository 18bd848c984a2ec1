#!/usr/bin/env bash
# Builds the manpages-dev relatedness set: OUT_DIR/manpages-dev/corpus.jsonl (about 890 pages of
# Debian's manpages-dev, each page's SEE ALSO section taken out of its text) and qrels.jsonl (the
# pages each SEE ALSO names: the answers). Used by Benchmarks/quality/compare.sh and docs/quality.md.
#
# Usage: Benchmarks/datasets/manpages-dev.sh OUT_DIR   (installs man-db and manpages-dev; about a minute)
set -euo pipefail
out=${1:?usage: manpages-dev.sh OUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
needed=(man-db groff-base bsdextrautils manpages-dev)
if ! dpkg -s "${needed[@]}" >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: run: sudo apt-get install -y ${needed[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2 && apt-get install -y -q "${needed[@]}" >&2
fi
python3 "$here/manpages_dev.py" "$out"
