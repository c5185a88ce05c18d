"""Build the document-frequency table of story terms ``src/marsad/data/story-df.tsv.gz``.

    python scripts/build_story_df.py [--out PATH] [--min-df 2]

The lexical story vectors (``marsad.enrich.features.term_vector``) weight each term by IDF. The keyphrase
table counts only candidate-phrase words, so every verb or adverb missing from it (جميعا, تعرقل, سنحافظ)
got the highest IDF and crowded the topic words out of the vectors. This table counts every story term
exactly as ``term_vector`` makes it (``topic_term`` light stem, long vowels dropped) in every article of:

* ANT corpus v2.1 multi-outlet (Chouigui et al.), **without the labelled days** (the story gold
  2018-05-08/09 and the development days), so no statistic is taken from the days we evaluate on;
* SaudiNewsNet (Mazen Abdulaziz, CC BY-NC-SA 4.0);
* ANT Jawhara FM v1.1 (Apache-2.0).

No text is kept: one row per term seen in at least ``--min-df`` articles, ``term\\tdf``, after a ``#docs``
row. The output is byte-identical from run to run (sorted rows, fixed gzip mtime).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import sys
from collections import Counter
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "src")]

from marsad.config import data_dir  # noqa: E402
from marsad.enrich.features import STORY_DF_PATH, story_terms  # noqa: E402

CORPORA = ("ant-multisource.jsonl.gz", "saudinewsnet.jsonl.gz", "ant-jawharafm.jsonl.gz")
GOLD = REPO / "tests" / "quality" / "gold"
HEADER = ("# story-term document frequencies (ANT multi-outlet without the labelled days, SaudiNewsNet, "
          "ANT Jawhara FM), built by scripts/build_story_df.py; rows: term\tdf")


def labelled_docnos() -> set[str]:
    """Every docno of a story gold or development file, or of a graded pair file, found by name so that
    stretches labelled later are left out too (their days are left out of the counts)."""
    out: set[str] = set()
    for path in GOLD.glob("ant-stories-*.tsv"):
        with path.open(encoding="utf-8") as fh:
            out.update(r["docno"] for r in csv.DictReader(fh, delimiter="\t"))
    for path in GOLD.glob("story-pairs-graded-*.tsv"):
        with path.open(encoding="utf-8") as fh:
            out.update(d for r in csv.DictReader(fh, delimiter="\t") for d in (r["docno_a"], r["docno_b"]))
    return out


def labelled_days(docnos: set[str]) -> set[str]:
    """The days (yyyymmdd, from the docno suffix) that any labelled article belongs to."""
    return {d.rsplit("-", 1)[-1] for d in docnos}


def articles(folder: Path, skip_days: set[str]) -> Iterator[tuple[str, str]]:
    """(title, text) of each article of the corpora, deduplicated by URL, labelled ANT days left out."""
    seen: set[str] = set()
    for name in CORPORA:
        with gzip.open(folder / name, "rt", encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                url = rec.get("url") or rec.get("docno") or ""
                if url in seen:
                    continue
                seen.add(url)
                if name.startswith("ant-multi") and rec.get("time"):
                    try:
                        day = parsedate_to_datetime(rec["time"]).strftime("%Y%m%d")
                    except (TypeError, ValueError):
                        day = ""
                    if day in skip_days:
                        continue
                yield rec.get("title") or "", rec.get("text") or rec.get("content") or ""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=STORY_DF_PATH)
    ap.add_argument("--min-df", type=int, default=2)
    args = ap.parse_args()
    skip = labelled_days(labelled_docnos())
    df: Counter[str] = Counter()
    n = 0
    for title, text in articles(data_dir(), skip):
        df.update(set(story_terms(title + "\n" + text)))
        n += 1
    rows = sorted((t, c) for t, c in df.items() if c >= args.min_df)
    buf = io.StringIO()
    buf.write(HEADER + "\n" + f"#docs\t{n}\n")
    buf.writelines(f"{t}\t{c}\n" for t, c in rows)
    with open(args.out, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as gz:
        gz.write(buf.getvalue().encode("utf-8"))
    print(f"{n} articles (labelled days left out: {', '.join(sorted(skip))}); {len(df)} terms, "
          f"{len(rows)} kept with df >= {args.min_df}; wrote {args.out} ({args.out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
