"""Write a benchmark's table into docs/benchmarks.md between its markers (adding a section if new)."""

from __future__ import annotations

from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def write_section(name: str, body: str, *, heading: str) -> str:
    """Replace the text between ``<!-- NAME:begin -->`` and ``<!-- NAME:end -->``; return the block."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    block = f"{begin}\n\n{body.strip()}\n\n{end}"
    text = DOC.read_text(encoding="utf-8")
    if begin not in text:
        text = text.rstrip("\n") + f"\n\n## {heading}\n\n{begin}\n{end}\n"
    DOC.write_text(text[: text.index(begin)] + block + text[text.index(end) + len(end):], encoding="utf-8")
    return block
