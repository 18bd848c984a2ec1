#!/usr/bin/env bash
# End-to-end test of the editor's console: starts `kindred serve` on a copy of the bundled model
# (with an admin token) on 127.0.0.1, drives Debian's headless Chromium through Selenium
# (Tests/Browser/console_test.py) and saves a screenshot per step under
# .build/browser-test/screenshots/. Installs chromium, chromium-driver and python3-venv like
# scripts/bootstrap.sh (apt-get as root or with passwordless sudo, else it prints the command and
# stops), and Selenium from PyPI into .build/browser-test/venv.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.build/browser-test
scripts/bootstrap.sh chromium chromium-driver python3-venv
mkdir -p "$out"
if [ ! -x "$out/venv/bin/python" ] || ! "$out/venv/bin/python" -c 'import selenium' 2>/dev/null; then
  python3 -m venv "$out/venv"
  "$out/venv/bin/pip" install -q 'selenium>=4.15,<5' >&2
fi
swift build --product kindred >&2

. Benchmarks/lib/server.sh
make_work_directory
cp -r models/default "$work/models"
rm -f "$work/models/journal.jsonl" "$work/models/overrides.json"
token=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
port=${KINDRED_BROWSER_PORT:-18585}
start_server .build/debug/kindred "$work/models" "$port" "$work/server.log" --admin-token "$token"
rm -rf "$out/screenshots"
"$out/venv/bin/python" Tests/Browser/console_test.py "http://127.0.0.1:$port" "$token" "$out/screenshots"
