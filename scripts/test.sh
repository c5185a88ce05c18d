#!/usr/bin/env bash
# Install Marsad with its test dependencies into .venv and run lint, layer check and the test suite.
set -euo pipefail
. "$(dirname "$0")/_venv.sh"
python -m pip install --quiet -e ".[dev,e5]"
# The browser tests (tests/web) drive Debian's headless Chromium through its chromium-driver: install them if missing
# (as root directly, else with passwordless sudo). Without them the browser tests skip locally and fail under CI.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  if [ "$(id -u)" = 0 ]; then AS_ROOT=(env); elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    AS_ROOT=(sudo -n env); else AS_ROOT=(); fi
  if [ ${#AS_ROOT[@]} -gt 0 ] && command -v apt-get >/dev/null; then
    "${AS_ROOT[@]}" DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${AS_ROOT[@]}" DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "note: cannot install chromium chromium-driver (needs root, sudo -n or apt-get): browser tests will skip" >&2
  fi
fi
ruff check src tests bench
lint-imports
mypy
python -m pytest "$@"
