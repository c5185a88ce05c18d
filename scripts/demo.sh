#!/usr/bin/env bash
# Install Marsad into .venv, ingest the sample corpus into ./marsad.db (SQLite), show what was found, then serve
# the reader (JSON API and Arabic web reader) at http://127.0.0.1:8000 until Ctrl-C.
set -euo pipefail
. "$(dirname "$0")/_venv.sh"
python -m pip install --quiet -e .
DB=${MARSAD_DB:-marsad.db}
marsad ingest samples/ --db "$DB"
marsad stats --db "$DB"
echo
echo "Most mentioned entities, with every spelling seen across outlets:"
marsad entities --db "$DB" --limit 12
echo
echo "Stories: one card per event across outlets and spellings (near-duplicates folded in):"
marsad stories --db "$DB" --min-size 2 --limit 8
echo
echo "The seed-style aggregator page, extracted:"
marsad extract samples/pages/aggregator-seed-style.txt
echo
PORT=${MARSAD_PORT:-8000}
echo "The reader: open http://127.0.0.1:$PORT (top stories, stories, articles, search, names, sources;"
echo "the JSON API is described at http://127.0.0.1:$PORT/api/openapi.json). Ctrl-C stops it."
exec marsad serve --db "$DB" --host 127.0.0.1 --port "$PORT"
