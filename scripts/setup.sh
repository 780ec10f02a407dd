#!/usr/bin/env bash
# Creates .venv (once) and installs bert_jax with its test extras. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
# torch is a test-only reference; the pinned CPU build installs from local disk on our machines.
.venv/bin/python -m pip install -q -e '.[dev]'
