"""Two writers on one store (two `marsad ingest` runs, the watcher beside the API): each one's decision step takes in
what the other committed before deciding, so copies are found across writers and story ids never collide."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

from marsad.config import ExtractOptions, IngestOptions
from marsad.ingestion.clustering import Clusterer
from marsad.ingestion.pipeline import RunReport, _extract_safe, _write_batch
from marsad.models import RawDocument
from marsad.store.sqlite import SQLiteStore
from tests.newsserver import article_text

OPTIONS = IngestOptions(embedder="none", progress=False)


def _record(url: str, title: str, text: str, published: str) -> RawDocument:
    fields = {"url": url, "title": title, "text": text, "published": published, "source": url.split("/")[2]}
    data = json.dumps(fields, ensure_ascii=False, sort_keys=True).encode()
    return RawDocument(data=data, kind="record", ref=url, url=url, fields=fields,
                       sha256=hashlib.sha256(data).hexdigest())


def _write(store: SQLiteStore, clusterer: Clusterer, raws: list[RawDocument]) -> None:
    report = RunReport(run_id=store.start_run({}))
    batch = [(raw, _extract_safe(raw, ExtractOptions(), True, "none")) for raw in raws]
    _write_batch(store, report, Counter(), batch, OPTIONS, clusterer)


def test_a_writer_takes_in_what_another_committed_before_deciding(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    a, b = SQLiteStore(db), SQLiteStore(db)
    first, second = Clusterer(a, embedder="none"), Clusterer(b, embedder="none")
    first.warm()
    second.warm()                                    # both started on the empty store
    title, paras = article_text(3)
    text = "\n\n".join(paras)
    other_title = "المنتخب المغربي يفوز على نظيره التونسي في نهائي البطولة العربية للشباب"
    other_paras = ["حقق المنتخب المغربي للشباب لقب البطولة العربية بعد فوزه على المنتخب التونسي بهدفين دون رد في "
                   "المباراة النهائية التي أقيمت مساء الخميس على ملعب مولاي عبد الله في الرباط أمام جماهير غفيرة.",
                   "وسجل هدفي المباراة المهاجم الشاب في الشوط الثاني، فيما أهدر المنتخب التونسي ركلة جزاء قبل نهاية "
                   "اللقاء بدقائق، ليتوج المغرب باللقب للمرة الثالثة في تاريخه.",
                   "وأشاد مدرب المنتخب بأداء لاعبيه، مؤكدا أن الفريق استعد جيدا لهذه البطولة وأن الفوز ثمرة عمل "
                   "متواصل منذ أشهر مع الجهاز الفني والإداري."]
    _write(a, first, [_record("https://one.example/a/1", title, text, "2025-04-17T09:00:00+03:00")])
    copy = text + "\n\nوأكدت مصادر أخرى المعلومات نفسها."
    _write(b, second, [_record("https://two.example/b/7", title, copy, "2025-04-17T09:30:00+03:00"),
                       _record("https://two.example/b/8", other_title, "\n\n".join(other_paras),
                               "2025-04-17T10:00:00+03:00")])
    rows = {r["url"]: r for r in a.iter_articles()}
    original, republished, unrelated = (rows["https://one.example/a/1"], rows["https://two.example/b/7"],
                                        rows["https://two.example/b/8"])
    assert republished["duplicate_of"] == original["id"]             # found across writers
    assert republished["story_id"] == original["story_id"]
    assert unrelated["story_id"] not in (None, original["story_id"])  # a story id of its own, not a collision
    assert second.counts["synced_from_other_writers"] == 1 and "synced_from_other_writers" not in first.counts
    story = a.get_story(original["story_id"])
    assert story is not None and story["size"] == 2
    a.close()
    b.close()
