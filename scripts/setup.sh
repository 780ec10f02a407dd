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
.venv/bin/python -m pip install -q -e '.[dev,serve]'
# The browser tests of the web app: Debian's headless chromium + its chromedriver, and CJK
# fonts so that Korean renders in the screenshots (skipped when already installed).
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null \
    || ! fc-list 2>/dev/null | grep -i 'Noto Sans CJK' >/dev/null; then
  SUDO=$([ "$(id -u)" -eq 0 ] || echo sudo)
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver fonts-noto-cjk >/dev/null
fi
