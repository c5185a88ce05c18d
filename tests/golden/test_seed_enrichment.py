"""Enrichment of the seed page: its entities (the two Kim spellings merged), keyphrases, category."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from marsad.cli import cli
from marsad.enrich.analyze import analyze
from marsad.extraction import extract
from marsad.models import RawDocument
from marsad.text.names import name_key
from marsad.text.normalize import MATCH

KIM = f"PERS:{name_key('كيم جونغ أون')}"
ENTITIES_GOLDEN = Path(__file__).with_name("seed_entities.json")


def seed_entities(seed: Path, db: str) -> list[dict]:
    """The seed page ingested into ``db``: its entities as `marsad entities --json` lists them, forms sorted
    (the golden ``seed_entities.json``; regenerate with ``python scripts/make_seed_entities_golden.py``)."""
    runner = CliRunner()
    assert runner.invoke(cli, ["ingest", str(seed), "--db", db, "--no-progress"]).exit_code == 0
    rows = json.loads(runner.invoke(cli, ["entities", "--db", db, "--json", "--limit", "0"]).output)
    return sorted(({"canonical_id": r["canonical_id"], "canonical_name": r["canonical_name"], "type": r["type"],
                    "articles": r["articles"], "mentions": r["mentions"],
                    "forms": sorted(v["form"] for v in r["variants"])} for r in rows),
                  key=lambda r: (-r["mentions"], r["canonical_id"]))


@pytest.fixture(scope="module")
def analyses(seed_bytes: bytes) -> list[tuple[str, dict]]:
    raw = RawDocument(data=seed_bytes, kind="text", ref="seed.txt", sha256=hashlib.sha256(seed_bytes).hexdigest())
    return [(a.text, analyze(a.text, a.title).to_dict()) for a in extract(raw)]


def _by_id(result: dict) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for e in result["entities"]:
        out.setdefault(e["canonical_id"], set()).add(e["text"])
    return out


def test_offsets_point_at_the_mention(analyses: list[tuple[str, dict]]) -> None:
    for text, result in analyses:
        for e in result["entities"]:
            assert text[e["start"]:e["end"]] == e["text"]


def test_first_article_entities(analyses: list[tuple[str, dict]]) -> None:
    ents = _by_id(analyses[0][1])
    assert {"كيم جونج أون", "كيم"} <= ents[KIM]            # the bare name joins the full name
    assert {"فلاديمير بوتين", "بوتين"} <= ents[f"PERS:{name_key('فلاديمير بوتين')}"]
    assert "ديمتري بيسكوف" in ents[f"PERS:{name_key('ديمتري بيسكوف')}"]
    assert "روسيا" in ents[f"LOC:{name_key('روسيا')}"]
    assert "كوريا الشمالية" in ents[f"LOC:{name_key('كوريا الشمالية')}"]
    names = {e["canonical_name"] for e in analyses[0][1]["entities"]}
    assert not any(n.startswith(("وكوريا", "وكيم", "وبيونج")) for n in names)   # clitics stripped


def test_kim_spellings_merge_across_the_two_articles(analyses: list[tuple[str, dict]]) -> None:
    assert "كيم جونج أون" in _by_id(analyses[0][1])[KIM]
    assert "كيم جونغ أون" in _by_id(analyses[1][1])[KIM]
    assert f"PERS:{name_key('دونالد ترامب')}" in _by_id(analyses[1][1])      # ترمب = ترامب


def test_keyphrases_a_reader_would_accept(analyses: list[tuple[str, dict]]) -> None:
    tags = {MATCH(t) for t in ["التعاون العسكري", "الحرب", "الزعيم الكوري الشمالي", "الصواريخ",
                               "الزعيم الكوري الشمالي كيم جونج أون", "العلاقات الوثيقة", "المتحدث باسم الكرملين"]}
    phrases = [k["phrase"] for k in analyses[0][1]["keyphrases"]]
    assert 5 <= len(phrases) <= 10
    assert len({MATCH(p) for p in phrases} & tags) >= 3
    assert all(p.split()[0] not in ("في", "من", "على", "إلى", "و") for p in phrases)


def test_category_and_language(analyses: list[tuple[str, dict]]) -> None:
    for _, result in analyses:
        assert result["category"]["label"] == "politics" and result["language"] == "ar"


def test_ingest_stores_enrichment_and_entities_command_lists_variants(seed_path: Path,
                                                                     new_db: Callable[[], str]) -> None:
    db = new_db()
    runner = CliRunner()
    assert runner.invoke(cli, ["ingest", str(seed_path), "--db", db, "--no-progress"]).exit_code == 0
    rows = [json.loads(line) for line in runner.invoke(cli, ["export", "--db", db]).output.splitlines()]
    assert all(r["entities"] and r["keyphrases"] and r["category"]["label"] == "politics" for r in rows)
    ents = json.loads(runner.invoke(cli, ["entities", "--db", db, "--json", "--limit", "0"]).output)
    kim = next(e for e in ents if e["canonical_id"] == KIM)
    assert {"كيم جونج أون", "كيم جونغ أون", "كيم"} <= {v["form"] for v in kim["variants"]}
    assert kim["articles"] == 2 and kim["canonical_name"] in ("كيم جونج أون", "كيم جونغ أون")


def test_seed_entities_and_their_display_names_match_the_golden(seed_path: Path, new_db: Callable[[], str]) -> None:
    rows = seed_entities(seed_path, new_db())
    assert rows == json.loads(ENTITIES_GOLDEN.read_text(encoding="utf-8"))
    shown = {r["canonical_id"]: r["canonical_name"] for r in rows}
    # what a reader expects, stated by hand: the fullest common form, never the bare family name
    assert shown[KIM] in ("كيم جونغ أون", "كيم جونج أون")
    assert shown[f"PERS:{name_key('فلاديمير بوتين')}"] == "فلاديمير بوتين"
    assert shown[f"PERS:{name_key('دونالد ترامب')}"] == "دونالد ترمب"
    assert shown[f"ORG:{name_key('الكرملين')}"] == "الكرملين"        # not the glued للكرملين
    assert not any(name.split()[0] in ("كيم", "بوتين") and len(name.split()) == 1 for name in shown.values())
