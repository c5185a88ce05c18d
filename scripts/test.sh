#!/usr/bin/env bash
# Install Marsad with its test dependencies into .venv and run lint, layer check and the test suite.
set -euo pipefail
. "$(dirname "$0")/_venv.sh"
python -m pip install --quiet -e ".[dev,e5]"
# Debian packages the tests need, installed when missing (as root directly, else with passwordless sudo):
# - chromium + chromium-driver: the browser tests (tests/web) drive Debian's headless Chromium;
# - postgresql: the PostgreSQL tests start a throwaway server from its binaries (tests/pgserver.py: initdb in a
#   temporary folder, run as the unprivileged postgres user, stopped at the end).
# Without them those tests skip locally and fail under CI.
if [ "$(id -u)" = 0 ]; then AS_ROOT=(env); elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  AS_ROOT=(sudo -n env); else AS_ROOT=(); fi
MISSING=()
{ [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; } || MISSING+=(chromium chromium-driver)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || MISSING+=(postgresql)
if [ ${#MISSING[@]} -gt 0 ]; then
  if [ ${#AS_ROOT[@]} -gt 0 ] && command -v apt-get >/dev/null; then
    "${AS_ROOT[@]}" DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${AS_ROOT[@]}" DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${MISSING[@]}" >/dev/null
  else
    echo "note: cannot install ${MISSING[*]} (needs root, sudo -n or apt-get): their tests will skip" >&2
  fi
fi
ruff check src tests bench
lint-imports
mypy
python -m pytest "$@"
