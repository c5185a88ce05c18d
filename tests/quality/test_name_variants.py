"""Names a reader would merge are merged, near-misses are kept apart, on real news (README-name-variants.md).

For every form of the gold set, real ANT multi-outlet articles where the tagger finds that form with that type
(spread over the corpus, so over outlets and months) are resolved in publication order into one store, through
the code ingestion uses (``group_mentions`` on the tagger's spans, then ``resolve_entities``). A form ends in the
entity most of its mentions went to. A merge row passes when all its forms end in one entity; an apart row when
its two forms end in two.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from marsad.enrich.entities import group_mentions
from marsad.enrich.ner_net import selected_tagger
from marsad.ingestion.pipeline import resolve_entities
from marsad.models import Article
from marsad.store.sqlite import SQLiteStore
from tests.conftest import need_file

pytestmark = pytest.mark.quality

GOLD = Path(__file__).parent / "gold" / "name-variants.tsv"
FIRST, OTHERS = 12, 5
"""Articles per form: the first (usually the commonest) form of a row, and every other form."""
TRIES = 4
"""Candidate articles tagged per wanted article (the tagger may not call the form a name, or not that type)."""
MERGE_FLOOR, APART_FLOOR = 0.95, 1.0


@dataclass(frozen=True)
class Row:
    id: str
    split: str
    label: str
    forms: tuple[tuple[str, str], ...]


def _rows() -> list[Row]:
    with GOLD.open(encoding="utf-8") as fh:
        return [Row(r["id"], r["split"], r["label"],
                    tuple((f.partition("@")[0], f.partition("@")[2] or r["type"]) for f in r["forms"].split("|")))
                for r in csv.DictReader(fh, delimiter="\t")]


def _spread(items: list[int], n: int) -> list[int]:
    """``n`` items evenly spaced over ``items`` (all of them when there are fewer)."""
    if len(items) <= n:
        return items
    return [items[round(i * (len(items) - 1) / (n - 1))] for i in range(n)] if n > 1 else items[:1]


@pytest.fixture(scope="module")
def outcome(data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Row, list[str]]]:
    """Row id -> (row, the entity each form ended in)."""
    path = need_file(data / "ant-multisource.jsonl.gz", "ANT multisource corpus")
    rows = _rows()
    quota: dict[tuple[str, str], int] = {}
    for row in rows:
        for i, form in enumerate(row.forms):
            quota[form] = max(quota.get(form, 0), FIRST if i == 0 else OTHERS)
    names = sorted({name for name, _ in quota}, key=len, reverse=True)
    pattern = re.compile("|".join(map(re.escape, names)))
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        corpus = [json.loads(line) for line in fh]
    seen: dict[str, list[int]] = defaultdict(list)
    for i, rec in enumerate(corpus):
        for name in set(pattern.findall(rec["text"])):
            seen[name].append(i)
    tagger, spans_of, chosen = selected_tagger(), {}, set()  # the pipeline's tagger (MARSAD_NER)
    for (name, type_), n in quota.items():
        got = 0
        for i in _spread(seen.get(name, []), n * TRIES):
            if i not in spans_of:
                spans_of[i] = tagger.entities(corpus[i]["text"])
            if any(s.text == name and s.type == type_ for s in spans_of[i]):
                chosen.add(i)
                got += 1
                if got == n:
                    break
    store = SQLiteStore(tmp_path_factory.mktemp("names") / "n.db")
    ends: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for i in sorted(chosen, key=lambda i: (parsedate_to_datetime(corpus[i]["time"]), i)):
        text, spans = corpus[i]["text"], spans_of[i]
        art = Article(url=f"https://ant.example/{i}", title=corpus[i]["title"], text=text, content_hash=f"h{i}")
        art.entities = [m.to_dict() for m in group_mentions(spans, text)]
        with store.transaction():
            aid = store.insert_article(art, identity=f"url:{i}", duplicate_of=None)
            resolve_entities(store, aid, art.entities)
        for s in spans:
            if (s.text, s.type) in quota:   # the mention over the form's span (a glued clitic may have been cut)
                m = next((m for m in art.entities if m["start"] < s.end and s.start < m["end"]), None)
                if m is not None:
                    ends[(s.text, s.type)][m["canonical_id"]] += 1
    return {row.id: (row, [ends[f].most_common(1)[0][0] if ends[f] else f"none:{f[0]}" for f in row.forms])
            for row in rows}


def _rates(outcome: dict[str, tuple[Row, list[str]]], split: str | None) -> tuple[float, float, list[str]]:
    merged = apart = merges = aparts = 0
    misses = []
    for row, ends in outcome.values():
        if split and row.split != split:
            continue
        if row.label == "merge":
            merges += 1
            ok = len(set(ends)) == 1
            merged += ok
        else:
            aparts += 1
            ok = ends[0] != ends[1]
            apart += ok
        if not ok:
            misses.append(f"{row.id} {row.label} {[f for f, _ in row.forms]} -> {ends}")
    return merged / max(merges, 1), apart / max(aparts, 1), misses


def test_gold_is_big_enough() -> None:
    rows = _rows()
    assert sum(r.label == "merge" for r in rows) >= 40 and sum(r.label == "apart" for r in rows) >= 40
    assert {r.split for r in rows} == {"tune", "heldout"}
    assert all(len(r.forms) >= 2 for r in rows) and all(len(r.forms) == 2 for r in rows if r.label == "apart")


@pytest.mark.parametrize("split", ["tune", "heldout"])
def test_variants_merge_and_near_misses_stay_apart(outcome: dict[str, tuple[Row, list[str]]], split: str) -> None:
    merge_rate, apart_rate, misses = _rates(outcome, split)
    assert merge_rate >= MERGE_FLOOR and apart_rate >= APART_FLOOR, (merge_rate, apart_rate, misses)
