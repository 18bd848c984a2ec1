#!/usr/bin/env bash
# Prints the Python of benchmark-data/venv-encoder, creating it from PyPI (sentence-transformers and
# PyTorch, several GB) on first use; $KINDRED_TORCH_PYTHON names an existing one instead.
# Run from the project root.
set -euo pipefail
if [ -n "${KINDRED_TORCH_PYTHON:-}" ]; then echo "$KINDRED_TORCH_PYTHON"; exit 0; fi
python=benchmark-data/venv-encoder/bin/python
if [ ! -x "$python" ] || ! "$python" -c "import sentence_transformers" 2>/dev/null; then
  echo "creating benchmark-data/venv-encoder with sentence-transformers (PyTorch: several GB)…" >&2
  python3 -m venv benchmark-data/venv-encoder
  benchmark-data/venv-encoder/bin/pip install -q sentence-transformers >&2
fi
echo "$python"
