#!/usr/bin/env bash
# Install Marsad with its test dependencies into .venv and run lint, layer check and the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
. .venv/bin/activate
python -m pip install --quiet --upgrade pip
python -m pip install --quiet -e ".[dev]"
ruff check src tests bench
lint-imports
mypy
python -m pytest "$@"
