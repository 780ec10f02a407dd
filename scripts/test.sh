#!/usr/bin/env bash
# Set-up + the whole test suite (8 fake CPU devices; see tests/conftest.py), on two pytest-xdist
# workers, a file each at a time (module fixtures are built once), the long files first.
# BERT_JAX_TEST_WORKERS=1 runs it in one process.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
.venv/bin/python -m pytest -q -p no:cacheprovider --durations=25 \
  -n "${BERT_JAX_TEST_WORKERS:-2}" --dist loadfile --no-loadscope-reorder "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "error: pytest collected no tests; that is a failure, not a pass" >&2
  exit 1
fi
exit "$rc"
