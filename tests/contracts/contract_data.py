"""What the contract golden files hold, computed through the command line exactly as a user runs it."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[2]
VOLATILE = {"created_at", "modified_at", "at"}
"""Wall-clock stamps of the ingest itself: the only fields allowed to differ between two runs."""


def _cli() -> Any:
    from marsad.cli import cli

    return cli


def _rows(runner: CliRunner, db: str, what: str) -> list[dict[str, Any]]:
    result = runner.invoke(_cli(), ["export", "--db", db, "--what", what, "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    # the checkout's own path appears in input references (origin.ref, rejection refs): made relative
    text = result.output.replace(str(REPO) + "/", "")
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    return [{k: v for k, v in row.items() if k not in VOLATILE} for row in rows]


def samples_export() -> dict[str, list[dict[str, Any]]]:
    """Ingest ``samples/`` with the default options into a fresh store and export articles and rejections."""
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "samples.db")
        result = runner.invoke(_cli(), ["ingest", str(REPO / "samples"), "--db", db, "--no-progress"])
        assert result.exit_code == 0, result.output
        return {"articles": _rows(runner, db, "articles"), "rejections": _rows(runner, db, "rejections")}


def _commands(group: Any, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    out = {path: group}
    for name, cmd in sorted(getattr(group, "commands", {}).items()):
        out.update(_commands(cmd, (*path, name)))
    return out


def cli_help() -> dict[str, str]:
    """``marsad ... --help`` of every command and subcommand."""
    runner = CliRunner()
    helps = {}
    for path in _commands(_cli()):
        result = runner.invoke(_cli(), [*path, "--help"], terminal_width=100)
        assert result.exit_code == 0, result.output
        helps[" ".join(("marsad", *path))] = result.output
    return helps
