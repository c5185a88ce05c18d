"""Extraction quality on real ANT articles wrapped in page templates (the figures behind the CI gate).

    python bench/extraction_quality.py [--pages 200] [--offset 0] [--write-docs]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

from bench.docs import write_section  # noqa: E402
from bench.pages import gold_pages, token_prf  # noqa: E402
from marsad.config import data_dir  # noqa: E402
from marsad.extraction import extract  # noqa: E402
from marsad.models import RawDocument  # noqa: E402


def measure(pages: int, offset: int) -> dict[str, dict[str, float]]:
    """Per template: mean P/R/F1 of the body, title, date and split rates."""
    acc: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for i, page in enumerate(gold_pages(data_dir() / "ant-multisource.jsonl.gz", pages, offset=offset)):
        raw = RawDocument(data=page.html, kind="html", ref=str(i), sha256=hashlib.sha256(page.html).hexdigest())
        arts = extract(raw)
        p, r, f = token_prf(arts[0].text, " ".join(page.paragraphs))
        row = acc[page.template]
        row["P"].append(p)
        row["R"].append(r)
        row["F1"].append(f)
        row["title"].append(float(arts[0].title == page.title))
        if page.date:
            row["date"].append(float((arts[0].published_at or "")[:10] == page.date))
        if page.template == "aggregator":
            row["split"].append(float(len(arts) == 2))
            if len(arts) == 2:
                row["second F1"].append(token_prf(arts[1].text, " ".join(page.second_paragraphs))[2])
                row["source+tags"].append(float(arts[0].source == page.source
                                                and arts[0].tags[: len(page.tags)] == page.tags))
    return {t: {k: sum(v) / len(v) for k, v in row.items()} | {"n": float(len(row["F1"]))} for t, row in acc.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=200)
    ap.add_argument("--offset", type=int, default=0)
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args()
    res = measure(args.pages, args.offset)
    cols = ["n", "P", "R", "F1", "title", "date", "split", "second F1", "source+tags"]
    lines = [f"Command: `python bench/extraction_quality.py --pages {args.pages} --offset {args.offset}`.",
             "", "| template | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for template, row in res.items():
        cells = [f"{row[c]:.0f}" if c == "n" else (f"{row[c]:.4f}" if c in row else "–") for c in cols]
        lines.append(f"| {template} | " + " | ".join(cells) + " |")
    table = "\n".join(lines)
    print(table)
    if args.write_docs:
        write_section("quality", table, heading="Extraction quality")


if __name__ == "__main__":
    main()
