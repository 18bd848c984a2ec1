#!/usr/bin/env bash
# Prints the Python of benchmark-data/venv, creating it from PyPI (scikit-learn, gensim) on first use.
# Run from the project root.
set -euo pipefail
python=benchmark-data/venv/bin/python
if [ ! -x "$python" ] || ! "$python" -c "import sklearn, gensim" 2>/dev/null; then
  echo "creating benchmark-data/venv with scikit-learn and gensim…" >&2
  python3 -m venv benchmark-data/venv
  benchmark-data/venv/bin/pip install -q scikit-learn gensim numpy scipy >&2
fi
echo "$python"
