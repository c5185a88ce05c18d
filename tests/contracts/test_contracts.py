"""External contracts stay put across refactors: the export of the sample corpus and every command's --help.

The golden files were written by ``scripts/make_contract_golden.py`` before the house issue's refactor; a
difference here is a behaviour change, named field by field.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.contracts.contract_data import cli_help, samples_export

HERE = Path(__file__).parent


def _golden(name: str) -> dict:
    return json.loads((HERE / name).read_text("utf-8"))


@pytest.mark.slow
def test_export_of_the_sample_corpus_is_unchanged_field_by_field() -> None:
    golden, now = _golden("samples_export.json"), samples_export()
    for what in ("articles", "rejections"):
        assert len(now[what]) == len(golden[what]), what
        for i, (want, got) in enumerate(zip(golden[what], now[what], strict=True)):
            assert sorted(got) == sorted(want), f"{what}[{i}] fields differ: {set(got) ^ set(want)}"
            diffs = {k: (want[k], got[k]) for k in want if want[k] != got[k]}
            assert not diffs, f"{what}[{i}] (id {want.get('id')}) differs in {sorted(diffs)}: {diffs}"


def test_every_command_help_is_unchanged() -> None:
    golden, now = _golden("cli_help.json"), cli_help()
    assert sorted(now) == sorted(golden), set(now) ^ set(golden)
    for command, text in golden.items():
        assert now[command] == text, command
