"""Spelling variants merge on real multi-outlet news: AlArabiya writes ترمب, Sky News ترامب; نتنياهو / نتانياهو."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from marsad.config import IngestOptions
from marsad.ingestion.pipeline import ingest
from marsad.store.sqlite import SQLiteStore
from marsad.text.names import name_key
from tests.conftest import need_file

pytestmark = pytest.mark.quality


def _pick(path: Path, tmp: Path) -> Path:
    wanted = {("alarabia", "ترمب"): 25, ("skynews", "ترامب"): 25, ("alarabia", "نتنياهو"): 15,
              ("skynews", "نتانياهو"): 15}
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            for (source, word), left in wanted.items():
                if left and rec["source"] == source and word in rec["text"]:
                    wanted[(source, word)] -= 1
                    out.append(line)
                    break
            if not any(wanted.values()):
                break
    target = tmp / "variants.jsonl"
    target.write_text("".join(out), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def store(data: Path, tmp_path_factory: pytest.TempPathFactory) -> SQLiteStore:
    path = need_file(data / "ant-multisource.jsonl.gz", "ANT multisource corpus")
    tmp = tmp_path_factory.mktemp("variants")
    st = SQLiteStore(tmp / "v.db")
    ingest([_pick(path, tmp)], st, IngestOptions())
    return st


def _entity_forms(store: SQLiteStore, cid: str) -> set[str]:
    ents = {e["canonical_id"]: e for e in store.list_entities(limit=None)}
    return {v["form"] for v in ents[cid]["variants"]} if cid in ents else set()


def test_trump_spellings_of_two_outlets_are_one_entity(store: SQLiteStore) -> None:
    forms = _entity_forms(store, f"PERS:{name_key('دونالد ترامب')}")
    assert any("ترمب" in f for f in forms) and any("ترامب" in f for f in forms), forms


def test_netanyahu_spellings_are_one_entity(store: SQLiteStore) -> None:
    forms = _entity_forms(store, f"PERS:{name_key('بنيامين نتنياهو')}")
    assert any("نتنياهو" in f for f in forms) and any("نتانياهو" in f for f in forms), forms
