#!/usr/bin/env bash
# Install Marsad into .venv, ingest the sample corpus into ./marsad.db (SQLite) and show what was found.
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
