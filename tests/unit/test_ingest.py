"""Ingestion: every input ends in one place, counts add up, re-ingesting adds nothing, failures are safe."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st

from marsad.config import IngestOptions
from marsad.errors import InputError, StoreError
from marsad.ingestion.pipeline import ingest
from marsad.models import Article
from marsad.store.sqlite import SQLiteStore

PARAS = [
    "أعلنت وزارة الخارجية في بيان رسمي اليوم أن المحادثات بين الجانبين ستستأنف الأسبوع المقبل في العاصمة.",
    "وقال المتحدث باسم الوزارة إن الوفد سيضم خبراء في الشؤون الاقتصادية والأمنية لبحث الملفات العالقة.",
    "وأضاف أن الاتفاق المرتقب يشمل تعاوناً في مجالات الطاقة والنقل والتجارة بين البلدين خلال السنوات المقبلة.",
]


def _record(i: int, **kw: Any) -> dict[str, Any]:
    rec = {"id": f"r{i}", "url": f"https://news.example.com/a/{i}", "source": "مثال",
           "title": f"عنوان الخبر رقم {i}", "text": "\n".join(PARAS) + f"\nفقرة خاصة بالخبر {i} لتمييزه عن غيره.",
           "published": "2025-04-17T10:00:00+03:00"}
    rec.update(kw)
    return rec


def _jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _snapshot(store: SQLiteStore) -> list[dict[str, Any]]:
    return [{k: v for k, v in a.items() if k != "modified_at"} for a in store.iter_articles()]


def test_ingest_twice_adds_nothing(tmp_path: Path) -> None:
    src = _jsonl(tmp_path / "a.jsonl", [_record(i) for i in range(5)])
    store = SQLiteStore(tmp_path / "m.db")
    first = ingest([src], store)
    assert (first.stored, first.duplicate, first.rejected) == (5, 0, 0)
    before = _snapshot(store)
    second = ingest([src], store)
    assert (second.stored, second.updated, second.duplicate) == (0, 0, 5)
    assert _snapshot(store) == before
    assert store.conn.execute("SELECT count(*) FROM raw_inputs").fetchone()[0] == 5


def test_changed_article_at_same_url_is_updated(tmp_path: Path) -> None:
    store = SQLiteStore(":memory:")
    ingest([_jsonl(tmp_path / "a.jsonl", [_record(1)])], store)
    changed = _record(1, text="\n".join(PARAS) + "\nتحديث: ارتفع عدد المشاركين في المحادثات إلى خمسة وفود.")
    report = ingest([_jsonl(tmp_path / "b.jsonl", [changed])], store)
    assert (report.stored, report.updated) == (0, 1)
    (art,) = list(store.iter_articles())
    assert "خمسة وفود" in art["text"] and art["version"] == 2


def test_same_text_under_another_url_is_a_duplicate_with_a_pointer(tmp_path: Path) -> None:
    store = SQLiteStore(":memory:")
    base = _record(1)
    # Republished wire copy: other URL and outlet, different punctuation/diacritics/alef: same match text.
    copy = _record(2, source="منفذ آخر", text=base["text"].replace("أعلنت", "اعلنت").replace(".", " ."))
    report = ingest([_jsonl(tmp_path / "a.jsonl", [base, copy])], store)
    assert (report.stored, report.duplicate) == (1, 1)
    rows = list(store.iter_articles())
    assert rows[1]["duplicate_of"] == rows[0]["id"]


def test_bad_inputs_are_rejected_with_reasons_and_nothing_stored_changes(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "m.db")
    ingest([_jsonl(tmp_path / "good.jsonl", [_record(i) for i in range(3)])], store)
    before = _snapshot(store)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "broken.jsonl").write_text(
        json.dumps(_record(10), ensure_ascii=False) + "\n{\"url\": \"https://x.example/1\", \"text\": \"مقطوع\n"
        + json.dumps(_record(11), ensure_ascii=False) + "\n", encoding="utf-8")
    (bad / "empty.html").write_bytes(b"")
    (bad / "binary.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (bad / "short.txt").write_text("قصير جدا", encoding="utf-8")
    (bad / "notext.jsonl").write_text('{"url": "https://x.example/2", "title": "بلا نص"}\n', encoding="utf-8")
    (bad / "big.html").write_bytes(b"<p>" + "كلمة ".encode() * 5000 + b"</p>")
    report = ingest([bad], store, IngestOptions(max_input_bytes=20_000))
    assert report.stored == 2                       # the two good records around the broken line
    assert report.reasons == {"malformed": 2, "empty": 1, "binary": 1, "no_content": 1, "oversized": 1}
    assert report.outcomes == report.articles_found + report.rejected
    rejected = {r["ref"].split("/")[-1]: (r["reason_code"], r["message"]) for r in store.iter_rejections()}
    assert rejected["broken.jsonl:2"][0] == "malformed"
    assert rejected["empty.html"][0] == "empty"
    assert "limit" in rejected["big.html"][1]
    after = _snapshot(store)
    assert after[:3] == before                      # nothing already stored changed


def test_strict_policy_stops_at_first_bad_input(tmp_path: Path) -> None:
    (tmp_path / "empty.html").write_bytes(b"")
    with pytest.raises(InputError):
        ingest([tmp_path], SQLiteStore(":memory:"), IngestOptions(error_policy="raise"))


class FailingStore(SQLiteStore):
    """A store whose disk 'fails' on the N-th article insert."""

    def __init__(self, path: Path, fail_at: int) -> None:
        super().__init__(path)
        self.fail_at = fail_at
        self.inserts = 0

    def insert_article(self, article: Article, *, identity: str, duplicate_of: int | None) -> int:
        self.inserts += 1
        if self.inserts == self.fail_at:
            raise sqlite3.OperationalError("disk I/O error")
        return super().insert_article(article, identity=identity, duplicate_of=duplicate_of)


def test_store_failure_stops_with_clear_error_and_keeps_committed_batches(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    src = _jsonl(tmp_path / "a.jsonl", [_record(i) for i in range(10)])
    store = FailingStore(db, fail_at=7)
    with pytest.raises(StoreError, match="rolled back"):
        ingest([src], store, IngestOptions(batch_size=4))
    store.close()
    check = SQLiteStore(db)
    assert check.stats()["articles"] == 4            # batch 1 committed, batch 2 rolled back whole
    assert check.integrity_check() == "ok"
    run = check.conn.execute("SELECT status FROM runs").fetchone()[0]
    assert run == "failed"
    report = ingest([src], check, IngestOptions(batch_size=4))   # a rerun completes the job
    assert (report.stored, report.duplicate) == (6, 4)


@pytest.mark.slow
def test_parallel_extraction_gives_the_same_result(tmp_path: Path) -> None:
    src = _jsonl(tmp_path / "a.jsonl", [_record(i) for i in range(40)])
    one, two = SQLiteStore(":memory:"), SQLiteStore(":memory:")
    r1 = ingest([src], one, IngestOptions(workers=1))
    r2 = ingest([src], two, IngestOptions(workers=2))
    assert r1.to_dict() | {"seconds": 0, "articles_per_second": 0, "run_id": 0} == \
        r2.to_dict() | {"seconds": 0, "articles_per_second": 0, "run_id": 0}
    assert [a["text"] for a in one.iter_articles()] == [a["text"] for a in two.iter_articles()]


_words = st.sampled_from(
    "الحكومة أعلنت اليوم عن خطة جديدة لدعم الاقتصاد والطاقة في المنطقة بعد اجتماع طويل".split()
)


def test_windows_in_flight_keep_input_order_and_errors_in_place() -> None:
    from marsad.config import ExtractOptions
    from marsad.ingestion.pipeline import extract_stream
    from marsad.models import RawDocument

    items: list[RawDocument | InputError] = []
    for i in range(23):
        if i % 7 == 3:
            items.append(InputError("unreadable", ref=f"bad-{i}"))
        else:
            data = json.dumps(_record(i), ensure_ascii=False).encode()
            items.append(RawDocument(data=data, kind="record", ref=f"r{i}", fields=_record(i)))
    def titles(pairs: list[Any]) -> list[Any]:
        return [None if r is None else [a.title for a in r.articles] for _, r in pairs]

    one = list(extract_stream(items, ExtractOptions(), workers=1))
    two = list(extract_stream(items, ExtractOptions(), workers=2, window=5))    # five windows, two in flight
    assert [item for item, _ in two] == items
    assert titles(two) == titles(one)
    assert titles(two)[4] == ["عنوان الخبر رقم 4"] and titles(two).count(None) == 3



_LOADS = """
import json, os, sys
from marsad.config import ExtractOptions
from marsad.enrich import category
from marsad.ingestion.pipeline import extract_stream
from marsad.models import RawDocument

real = category.CategoryClassifier.load.__func__
def counted(cls, *args, **kwargs):
    with open(sys.argv[1], "a") as fh:
        fh.write(f"{os.getpid()}\\n")
    return real(cls, *args, **kwargs)
category.CategoryClassifier.load = classmethod(counted)
text = "أعلنت الحكومة اليوم عن خطة جديدة لدعم الاقتصاد والطاقة في المنطقة بعد اجتماع طويل في العاصمة. " * 3
items = [RawDocument(data=json.dumps(rec := {"title": f"خبر {i}", "text": text}, ensure_ascii=False).encode(),
                     kind="record", ref=f"r{i}", fields=rec)
         for i in range(6)]
pairs = list(extract_stream(items, ExtractOptions(), workers=2, window=2, enrich=True))
print(json.dumps({"parent": os.getpid(), "categories": [r.articles[0].category["label"] for _, r in pairs]}))
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="workers inherit models only where processes fork")
def test_models_load_once_in_the_parent_and_forked_workers_inherit_them(tmp_path: Path) -> None:
    import subprocess
    import sys

    log = tmp_path / "loads.txt"
    out = subprocess.run([sys.executable, "-c", _LOADS, str(log)], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    run = json.loads(out.stdout.strip().splitlines()[-1])
    assert len(run["categories"]) == 6 and all(run["categories"])      # the workers did classify
    assert log.read_text().split() == [str(run["parent"])]              # one load, in the parent, none in workers
