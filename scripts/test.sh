#!/usr/bin/env bash
# Install Marsad with its test dependencies into .venv and run lint, layer check and the test suite.
set -euo pipefail
. "$(dirname "$0")/_venv.sh"
python -m pip install --quiet -e ".[dev,e5]"
ruff check src tests bench
lint-imports
mypy
python -m pytest "$@"
