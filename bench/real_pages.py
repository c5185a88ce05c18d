"""Marsad vs bare trafilatura on the same pages: title, publication day and body F1.

Two page sets: the hand-built golden pages on real outlet structures (tests/golden/real_pages, issue 17) and
real ANT articles wrapped in the four page templates of the extraction gate (bench/pages.py).
trafilatura is called as a user would call it alone: ``trafilatura.extract(html, url=url)`` for the body and
``trafilatura.extract_metadata(html, default_url=url)`` for title and date.

    python bench/real_pages.py [--ant-pages 200] [--write-docs]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

import trafilatura  # noqa: E402

from bench.docs import write_section  # noqa: E402
from bench.pages import gold_pages, token_prf  # noqa: E402
from marsad.config import data_dir  # noqa: E402
from marsad.errors import InputError  # noqa: E402
from marsad.extraction import extract  # noqa: E402
from marsad.models import RawDocument  # noqa: E402
from marsad.text.normalize import DISPLAY  # noqa: E402

GOLDEN = REPO / "tests" / "golden" / "real_pages"


@dataclass(slots=True)
class Case:
    """One page and its gold answer."""

    name: str
    html: bytes
    url: str | None
    title: str
    date: str | None          # YYYY-MM-DD
    full_date: str | None     # the ISO text with offset, when the gold has a time
    body: str


def golden_cases() -> Iterator[Case]:
    """The golden pages of tests/golden/real_pages."""
    for page in sorted(GOLDEN.glob("*.html")):
        exp = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
        when = exp["published_at"]
        yield Case(page.stem, page.read_bytes(), exp["url"], exp["title"], when[:10],
                   when if "T" in when else None, " ".join(exp["text"]))


def ant_cases(count: int) -> Iterator[Case]:
    """ANT articles in the four templates of the extraction gate (offset 100, as bench/extraction_quality.py)."""
    for i, page in enumerate(gold_pages(data_dir() / "ant-multisource.jsonl.gz", count, offset=100)):
        yield Case(f"ant-{page.template}-{i}", page.html, None, page.title, page.date, None,
                   " ".join(page.paragraphs))


def score(cases: list[Case]) -> dict[str, dict[str, float]]:
    """Per system: title exact, publication day, body F1 (means over the pages; n = pages)."""
    rows = {"Marsad": {"title": 0.0, "date": 0.0, "F1": 0.0, "offset": 0.0},
            "trafilatura": {"title": 0.0, "date": 0.0, "F1": 0.0}}
    dated = sum(1 for c in cases if c.date) or 1
    timed = sum(1 for c in cases if c.full_date) or 1
    for case in cases:
        raw = RawDocument(data=case.html, kind="html", ref=case.name, url=case.url,
                          sha256=hashlib.sha256(case.html).hexdigest())
        try:
            art = extract(raw)[0]
            title, published, text = art.title, art.published_at or "", art.text
        except InputError:
            title, published, text = "", "", ""
        m = rows["Marsad"]
        m["title"] += title == case.title
        m["date"] += bool(case.date) and published[:10] == case.date
        m["offset"] += bool(case.full_date) and published == case.full_date
        m["F1"] += token_prf(text, case.body)[2]
        meta = trafilatura.extract_metadata(case.html, default_url=case.url)   # bytes: its own charset detection
        body = trafilatura.extract(case.html, url=case.url) or ""
        t = rows["trafilatura"]
        t["title"] += DISPLAY(meta.title or "") == case.title if meta else False
        t["date"] += bool(case.date) and bool(meta and meta.date) and str(meta.date)[:10] == case.date
        t["F1"] += token_prf(body, case.body)[2]
    n = len(cases)
    for system in rows.values():
        system["title"] /= n
        system["F1"] /= n
        system["date"] /= dated
    if any(c.full_date for c in cases):
        rows["Marsad"]["offset"] /= timed
    else:
        del rows["Marsad"]["offset"]
    rows["Marsad"]["n"] = rows["trafilatura"]["n"] = n
    return rows


def table(name: str, rows: dict[str, dict[str, float]]) -> list[str]:
    """Markdown rows for one page set."""
    out = []
    for system, r in rows.items():
        offset = f"{r['offset']:.3f}" if "offset" in r else "–"
        out.append(f"| {name} | {system} | {r['n']:.0f} | {r['title']:.3f} | {r['date']:.3f} | {r['F1']:.3f} "
                   f"| {offset} |")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ant-pages", type=int, default=200)
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args()
    lines = [f"Command: `python bench/real_pages.py --ant-pages {args.ant_pages}`. Title: exact match; date: the "
             "publication day; F1: bag-of-words body F1 against the gold paragraphs; offset: the full ISO "
             "`published_at` with the page's own UTC offset, on the golden pages that state a time "
             "(trafilatura gives a day only).", "",
             "| pages | system | n | title | date | body F1 | offset kept |", "|---|---|---|---|---|---|---|"]
    golden = list(golden_cases())
    lines += table("golden real-outlet structures", score(golden))
    if args.ant_pages:
        lines += table("ANT in four templates", score(list(ant_cases(args.ant_pages))))
    text = "\n".join(lines)
    print(text)
    if args.write_docs:
        write_section("real_pages", text, heading="Real outlet structures: Marsad vs trafilatura")


if __name__ == "__main__":
    main()
