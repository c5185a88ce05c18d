"""The CLI is a thin, documented layer: every command has --help and is in the README; JSON is stable."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from marsad.cli import cli
from marsad.models import ARTICLE_JSON_FIELDS

REPO = Path(__file__).resolve().parents[2]


def test_every_command_has_help_and_is_documented() -> None:
    runner = CliRunner()
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    reference = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    for name, command in cli.commands.items():
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, result.output
        assert command.help and command.help.strip()
        assert f"marsad {name}" in readme + reference, f"`marsad {name}` is not documented"


def test_extract_seed_json(seed_path: Path) -> None:
    result = CliRunner().invoke(cli, ["extract", str(seed_path), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert len(payload["articles"]) == 2
    for art in payload["articles"]:
        assert set(ARTICLE_JSON_FIELDS) <= set(art)


def test_extract_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["extract", str(tmp_path / "nope.html")])
    assert result.exit_code == 1
    assert "no such file" in result.output


def test_ingest_export_stats_roundtrip(new_db: Callable[[], str]) -> None:
    db = new_db()
    runner = CliRunner()
    samples = REPO / "samples"
    result = runner.invoke(cli, ["ingest", str(samples), "--db", str(db), "--json", "--no-progress"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["stored"] > 20
    assert report["stored"] + report["updated"] + report["duplicate"] + report["rejected"] == \
        report["articles_found"] + report["rejected"]
    assert report["rejected"] >= 4          # samples/bad holds deliberately broken inputs
    out = runner.invoke(cli, ["export", "--db", str(db), "--what", "articles", "--format", "jsonl"])
    assert out.exit_code == 0
    rows = [json.loads(line) for line in out.output.splitlines()]
    assert len(rows) == report["stored"] + report["duplicate"]
    for row in rows:
        assert set(ARTICLE_JSON_FIELDS) <= set(row)
    rej = runner.invoke(cli, ["export", "--db", str(db), "--what", "rejections"])
    assert len(rej.output.splitlines()) == report["rejected"]
    st = runner.invoke(cli, ["stats", "--db", str(db), "--json", "--check"])
    stats = json.loads(st.output)
    assert stats["articles"] == len(rows) and stats["integrity"] == "ok"
    again = json.loads(runner.invoke(cli, ["ingest", str(samples), "--db", str(db), "--json"]).output)
    assert again["stored"] == 0 and again["updated"] == 0


@pytest.mark.parametrize("command", ["stats", "export"])
def test_reading_a_missing_store_says_what_to_do(tmp_path: Path, command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--db", str(tmp_path / "absent.db")])
    assert result.exit_code == 1 and "marsad ingest" in result.output
