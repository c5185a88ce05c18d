"""Write the golden files that pin Marsad's external contracts across refactors.

- ``tests/contracts/samples_export.json``: ``marsad export`` (articles and rejections) of the sample corpus
  ingested with the default options, ingest-time stamps removed; compared field by field.
- ``tests/contracts/cli_help.json``: the ``--help`` text of every command.

Run after a deliberate contract change only, and review the diff: ``python scripts/make_contract_golden.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.contracts.contract_data import cli_help, samples_export  # noqa: E402


def main() -> None:
    out = REPO / "tests" / "contracts"
    export = samples_export()
    (out / "samples_export.json").write_text(json.dumps(export, ensure_ascii=False, indent=1) + "\n", "utf-8")
    helps = cli_help()
    (out / "cli_help.json").write_text(json.dumps(helps, ensure_ascii=False, indent=1) + "\n", "utf-8")
    print(f"{len(export['articles'])} articles, {len(export['rejections'])} rejections, {len(helps)} commands")


if __name__ == "__main__":
    main()
