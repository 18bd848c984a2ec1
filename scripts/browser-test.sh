#!/usr/bin/env bash
# End-to-end test of the editor's console: starts `kindred serve` on a copy of the bundled model
# (with an admin token) on 127.0.0.1, drives Debian's headless Chromium through Selenium
# (Tests/Browser/console_test.py) and saves a screenshot per step under
# .build/browser-test/screenshots/. Installs chromium, chromium-driver and python3-venv through
# apt-get when missing, and Selenium from PyPI into .build/browser-test/venv.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.build/browser-test
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
python3 -c 'import ensurepip' 2>/dev/null || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "installing ${missing[*]} (apt-get)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2 \
      || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2; }
  else
    echo "the console test needs: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
mkdir -p "$out"
if [ ! -x "$out/venv/bin/python" ] || ! "$out/venv/bin/python" -c 'import selenium' 2>/dev/null; then
  python3 -m venv "$out/venv"
  "$out/venv/bin/pip" install -q 'selenium>=4.15,<5' >&2
fi
swift build --product kindred >&2

work=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cp -r models/default "$work/models"
rm -f "$work/models/journal.jsonl" "$work/models/overrides.json"
token=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
port=${KINDRED_BROWSER_PORT:-18585}
.build/debug/kindred serve --model "$work/models" --port "$port" --admin-token "$token" --log-level warning \
  2>"$work/server.log" &
server_pid=$!
for _ in $(seq 1 300); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.1
done
rm -rf "$out/screenshots"
"$out/venv/bin/python" Tests/Browser/console_test.py "http://127.0.0.1:$port" "$token" "$out/screenshots"
