"""Ingestion: sources -> extract -> store, with an error policy and a run report whose counts add up.

Every input unit ends in exactly one place, logged in the store's ``outcomes`` table:

- ``stored``     a new article;
- ``updated``    a changed article at a known URL/identity (the old version goes to the history);
- ``duplicate``  already known: the same identity with the same content, or the same text under a
                 new URL (kept as a row with ``duplicate_of`` so coverage by outlet is not lost);
- ``rejected``   with a reason code and message (malformed, empty, binary, oversized, no content...).

A unit that yields several articles (an aggregator page with a glued "read also" article) has one
outcome per article. Batches commit atomically: a store failure rolls back the batch in hand and
stops the run with a clear message; what earlier batches committed stays consistent.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from tqdm import tqdm

from marsad.config import ExtractOptions, IngestOptions
from marsad.errors import InputError, MarsadError, StoreError
from marsad.ingestion.work import Extracted, _extract_safe, _Result, content_hash, preload
from marsad.models import Article, ErrorPolicy, Outcome, RawDocument, RunStatus
from marsad.sources.files import count_inputs, iter_inputs
from marsad.sources.urls import url_key
from marsad.store.base import ArticleStore, EntityStore, Store
from marsad.text.analyzer import index_title, prime

if TYPE_CHECKING:
    from marsad.ingestion.clustering import Clusterer

OUTCOMES = tuple(Outcome)


@dataclass(slots=True)
class RunReport:
    """What one ingestion run did. ``stored + updated + duplicate + rejected == outcomes``."""

    run_id: int | None = None
    inputs: int = 0                  # units read (pages, records), including rejected ones
    articles_found: int = 0          # articles extracted from accepted units
    stored: int = 0
    updated: int = 0
    duplicate: int = 0
    rejected: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    status: RunStatus = RunStatus.OK
    clustering: dict[str, int] = field(default_factory=dict)   # near duplicates, new/joined/merged stories

    @property
    def outcomes(self) -> int:
        """Number of outcomes logged (one per article, one per rejected unit)."""
        return self.stored + self.updated + self.duplicate + self.rejected

    def check(self) -> None:
        """Raise AssertionError if the counts do not add up."""
        assert self.outcomes == self.articles_found + self.rejected, self.to_dict()
        assert sum(self.reasons.values()) == self.rejected, self.to_dict()

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready dict."""
        return {
            "run_id": self.run_id, "status": self.status, "inputs": self.inputs,
            "articles_found": self.articles_found, "stored": self.stored, "updated": self.updated,
            "duplicate": self.duplicate, "rejected": self.rejected, "reasons": dict(self.reasons),
            "seconds": round(self.seconds, 3),
            "articles_per_second": round(self.articles_found / self.seconds, 1) if self.seconds else None,
            "clustering": dict(self.clustering),
        }


def identity_of(article: Article) -> str:
    """The identity an article is stored under: canonical URL, else source + external id, else content."""
    for candidate in (article.canonical_url, article.url):
        key = url_key(candidate) if candidate else None
        if key:
            suffix = f"#{article.origin.get('position')}" if article.origin.get("position") else ""
            return f"url:{key}{suffix}"
    if article.external_id:
        return f"ext:{article.source or ''}:{article.external_id}"
    return f"hash:{article.content_hash}"


# -- extraction, optionally in worker processes ----------------------------------------------

_WORKER_OPTIONS: tuple[ExtractOptions, bool, str | None] | None = None


def _init_worker(options: ExtractOptions, enrich: bool, embedder: str | None) -> None:
    global _WORKER_OPTIONS
    _WORKER_OPTIONS = (options, enrich, embedder)


def _extract_in_worker(raw: RawDocument) -> _Result:
    assert _WORKER_OPTIONS is not None
    return _extract_safe(raw, *_WORKER_OPTIONS)


def extract_stream(
    items: Iterable[RawDocument | InputError], options: ExtractOptions, workers: int = 1, window: int = 512,
    enrich: bool = False, embedder: str | None = None,
) -> Iterator[tuple[RawDocument | InputError, _Result | None]]:
    """Yield (item, result) in input order; errors from reading pass through with result None.
    ``embedder``: compute clustering features with this embedder ("none": features without embeddings)."""
    if workers <= 1:
        for item in items:
            yield item, (None if isinstance(item, InputError) else _extract_safe(item, options, enrich, embedder))
        return
    fork = hasattr(os, "fork")
    ctx = multiprocessing.get_context("fork" if fork else "spawn")
    if fork:
        # Models loaded once here and inherited by the forked workers; frozen so that the collector's passes in
        # the workers do not write to (and so copy) the pages holding them.
        preload(enrich, embedder)
        gc.freeze()
    try:
        pool = ctx.Pool(workers, initializer=_init_worker, initargs=(options, enrich, embedder))
    finally:
        if fork:
            gc.unfreeze()
    with pool:
        iterator = iter(items)

        def submit() -> tuple[list[RawDocument | InputError], Any] | None:
            chunk = list(itertools.islice(iterator, window))
            if not chunk:
                return None
            raws = [it for it in chunk if isinstance(it, RawDocument)]
            return chunk, pool.map_async(_extract_in_worker, raws, chunksize=16)

        # Two windows in flight: the workers compute the next window while the caller decides and writes this
        # one (the serial step no longer idles them); memory stays bounded by two windows.
        pending = submit()
        while pending is not None:
            chunk, job = pending
            pending = submit()
            results = iter(job.get())
            for item in chunk:
                yield item, (None if isinstance(item, InputError) else next(results))


# -- the run -----------------------------------------------------------------------------------

def ingest(
    paths: Sequence[str | Path],
    store: Store,
    options: IngestOptions | None = None,
    *,
    stdin: BinaryIO | None = None,
) -> RunReport:
    """Ingest files, folders or stdin ("-") into ``store`` and return the run report; with ``options.dask``
    the per-article work runs on a Dask cluster (``marsad.ingestion.distributed``), the decisions here."""
    options = options or IngestOptions()
    total = count_inputs(paths) if options.progress else None
    args: dict[str, Any] = {"paths": [str(p) for p in paths]}
    if options.dask:
        from marsad.ingestion.distributed import ClusterStatus, connect, dask_stream

        args["dask"] = options.dask
        status = ClusterStatus()
        with connect(options.dask) as client:
            pairs = dask_stream(client, paths, options.extract, max_input_bytes=options.max_input_bytes,
                                source=options.source, enrich=options.enrich,
                                embedder=(options.embedder or "none") if options.cluster else None, status=status,
                                lines_per_part=options.dask_part_lines)
            return _run(pairs, store, options, args=args, total=total, status=status)
    items = iter_inputs(paths, max_input_bytes=options.max_input_bytes, source=options.source, stdin=stdin)
    return ingest_items(items, store, options, args=args, total=total)


def ingest_items(
    items: Iterable[RawDocument | InputError],
    store: Store,
    options: IngestOptions | None = None,
    *,
    args: dict[str, Any] | None = None,
    total: int | None = None,
) -> RunReport:
    """Ingest already-read items (used by `ingest` and by live sources)."""
    options = options or IngestOptions()
    workers = options.workers or (os.cpu_count() or 1)
    embedder = (options.embedder or "none") if options.cluster else None
    pairs = extract_stream(items, options.extract, workers, enrich=options.enrich, embedder=embedder)
    return _run(pairs, store, options, args=args, total=total)


def _run(pairs: Iterable[tuple[RawDocument | InputError, _Result | None]], store: Store, options: IngestOptions,
         *, args: dict[str, Any] | None, total: int | None, status: Any = None) -> RunReport:
    """Decide and write (input, per-article result) pairs, in their order, in batches: the serial part of a run.
    ``status``: a ``distributed.ClusterStatus`` shown beside the progress bar."""
    report = RunReport()
    report.run_id = store.start_run(args or {})
    started = time.perf_counter()
    reasons: Counter[str] = Counter()
    batch: list[tuple[RawDocument | InputError, _Result | None]] = []
    bar = tqdm(total=total, unit="input", disable=not options.progress, dynamic_ncols=True, mininterval=0.5)
    clusterer = None
    if options.cluster:
        from marsad.ingestion.clustering import Clusterer

        clusterer = Clusterer(store, embedder=options.embedder)
        clusterer.warm()
    try:
        for pair in pairs:
            batch.append(pair)
            if len(batch) >= options.batch_size:
                _write_batch(store, report, reasons, batch, options, clusterer)
                bar.update(len(batch))
                cluster = {"workers": status.workers, "queued": status.queued} if status is not None else {}
                bar.set_postfix(stored=report.stored, dup=report.duplicate, rej=report.rejected,
                                **{"art/s": round(report.articles_found / max(time.perf_counter() - started, 1e-9))},
                                **cluster, refresh=False)
                batch = []
        if batch:
            _write_batch(store, report, reasons, batch, options, clusterer)
            bar.update(len(batch))
        report.status = RunStatus.OK
    except KeyboardInterrupt:
        report.status = RunStatus.INTERRUPTED
        raise
    except StoreError:
        report.status = RunStatus.FAILED
        raise
    except MarsadError:
        report.status = RunStatus.FAILED
        raise
    finally:
        bar.close()
        report.seconds = time.perf_counter() - started
        report.reasons = dict(reasons)
        if clusterer is not None:
            report.clustering = dict(sorted(clusterer.counts.items()))
        with contextlib.suppress(StoreError):
            store.finish_run(report.run_id, report.to_dict(), report.status)
    report.check()
    return report


def _write_batch(
    store: Store,
    report: RunReport,
    reasons: Counter[str],
    batch: list[tuple[RawDocument | InputError, _Result | None]],
    options: IngestOptions,
    clusterer: Clusterer | None = None,
) -> None:
    """Decide and write the outcomes of one batch in one transaction; count only after commit."""
    local = RunReport()
    local_reasons: Counter[str] = Counter()
    written: list[tuple[int, Article, bool]] = []    # (article id, article, a new canonical article) of this batch
    assert report.run_id is not None
    run_id = report.run_id
    for _, result in batch:   # the search fields the workers analyzed: the index step reads them, not redoes them
        if isinstance(result, Extracted):
            for art, fields in zip(result.articles, result.index, strict=False):
                prime(index_title(art), art.text or "", fields)
    with store.transaction():
        if clusterer is not None:
            clusterer.sync()          # what other writers committed since: under the write lock, before deciding
        for item, result in batch:
            local.inputs += 1
            if isinstance(item, InputError):
                _reject(store, run_id, local, local_reasons, item.ref or "?", item.code, item.message, None, options)
                continue
            raw = item
            assert result is not None
            if isinstance(result, tuple):
                code, message = result
                if code not in ("binary", "oversized"):
                    store.put_raw(raw.sha256, raw.data, kind=raw.kind, ref=raw.ref, url=raw.url,
                                  media_type=raw.media_type, fetched_at=raw.fetched_at)
                    sha: str | None = raw.sha256
                else:
                    sha = None
                _reject(store, run_id, local, local_reasons, raw.ref, code, message, sha, options)
                continue
            store.put_raw(raw.sha256, raw.data, kind=raw.kind, ref=raw.ref, url=raw.url,
                          media_type=raw.media_type, fetched_at=raw.fetched_at)
            for article, feats in zip(result.articles, result.features, strict=True):
                local.articles_found += 1
                _store_article(store, run_id, local, raw, article, clusterer, feats, written)
        if clusterer is not None:
            clusterer.flush()
        if written:    # watchlists: matches and their alerts commit with the articles (marsad.ingestion.alerts)
            from marsad.ingestion.alerts import match_batch

            match_batch(store, [(i, a) for i, a, new in written if new], [i for i, _, _ in written])
    report.inputs += local.inputs
    report.articles_found += local.articles_found
    report.stored += local.stored
    report.updated += local.updated
    report.duplicate += local.duplicate
    report.rejected += local.rejected
    reasons.update(local_reasons)


def _reject(store: ArticleStore, run_id: int, report: RunReport, reasons: Counter[str], ref: str, code: str,
            message: str, sha: str | None, options: IngestOptions) -> None:
    if options.error_policy is ErrorPolicy.RAISE:
        raise InputError(f"{code}: {message}", ref=ref)
    store.log_outcome(run_id, ref=ref, outcome=Outcome.REJECTED, reason_code=code, message=message, raw_sha256=sha)
    report.rejected += 1
    reasons[code] += 1


def _store_article(store: Store, run_id: int, report: RunReport, raw: RawDocument, article: Article,
                   clusterer: Clusterer | None = None, feats: Any = None,
                   written: list[tuple[int, Article, bool]] | None = None) -> None:
    """Decide one article's outcome and write it; ``written`` collects the rows inserted (new canonicals flagged)."""
    written = written if written is not None else []
    article.content_hash = article.content_hash or content_hash(article.text)
    # A page fetched to upgrade an article stored from its feed's text replaces that article in place, whatever
    # canonical URL the page declares (the watcher says which identity it was stored under).
    stored_as = raw.fields.get("stored_as") if not article.origin.get("position") else None
    identity = str(stored_as) if stored_as else identity_of(article)
    ref = raw.ref if not article.origin.get("position") else f"{raw.ref}#{article.origin['position']}"
    existing = store.find_by_identity(identity)
    if existing is not None:
        same = existing.content_hash == article.content_hash and existing.title == article.title
        if same or store.known_version(existing.id, article.content_hash):  # current, or an older version
            store.log_outcome(run_id, ref=ref, outcome=Outcome.DUPLICATE, article_id=existing.id,
                              duplicate_of=existing.id, raw_sha256=raw.sha256)
            report.duplicate += 1
        else:
            store.update_article(existing.id, article)
            resolve_entities(store, existing.id, article.entities)
            if clusterer is not None:   # the story stays; the features follow the new text
                store.put_features(existing.id, clusterer.features_for(article, feats, raw.fetched_at).to_row())
            store.log_outcome(run_id, ref=ref, outcome=Outcome.UPDATED, article_id=existing.id, raw_sha256=raw.sha256)
            report.updated += 1
        return
    same_text = store.find_by_content_hash(article.content_hash)
    if same_text is not None:
        canonical = same_text.duplicate_of or same_text.id
        new_id = store.insert_article(article, identity=identity, duplicate_of=canonical)
        resolve_entities(store, new_id, article.entities)
        if clusterer is not None:
            clusterer.place_exact_duplicate(new_id, canonical, article, raw.fetched_at)
        store.log_outcome(run_id, ref=ref, outcome=Outcome.DUPLICATE, article_id=new_id, duplicate_of=canonical,
                          raw_sha256=raw.sha256)
        report.duplicate += 1
        written.append((new_id, article, False))
        return
    new_id = store.insert_article(article, identity=identity, duplicate_of=None)
    resolve_entities(store, new_id, article.entities)
    if clusterer is not None:
        kind, other = clusterer.place(new_id, article, feats, raw.fetched_at)
        if kind == "near":   # a near-duplicate of a stored article: kept as a row, counted as a duplicate
            store.log_outcome(run_id, ref=ref, outcome=Outcome.DUPLICATE, article_id=new_id, duplicate_of=other,
                              reason_code="near_duplicate", raw_sha256=raw.sha256)
            report.duplicate += 1
            written.append((new_id, article, False))
            return
    store.log_outcome(run_id, ref=ref, outcome=Outcome.STORED, article_id=new_id, raw_sha256=raw.sha256)
    report.stored += 1
    written.append((new_id, article, True))


SPELLING_ALIAS = "="
"""Prefix of an entity's spelling aliases (``spelling_key`` of each spelling it was written with)."""
KEY_ALIAS = "#"
"""Prefix of the name-key alias of a homonym entity (its cid is ``TYPE:key~spelling``)."""
SOUND_ALIAS = "%"
"""Prefix of an entity's sound-key alias (``sound_key``: the consonants transliterations swap folded)."""
LOOSE_ALIAS = "~"
"""Prefix of an entity's loose-key alias (word keys never start with any of these)."""
LOOSE_WORD_ALIAS = "~~"
"""Prefix of the loose keys of a multiword name's words (where a bare name spelled otherwise may belong)."""
EVIDENCE = 2
"""Co-mentioned entities a name must share with an entity to join it on a loose key, across types, or with a new
spelling of the same key (fewer when the article names fewer)."""
KNOWN = 25
"""Co-mentioned entities an entity needs (its context known well enough) before a new spelling whose context
disagrees may become a homonym of it."""
FAR = 3
"""Most co-mentioned entities a new spelling must share with an entity, however far the spelling is from its name."""
SPECIFIC, SPECIFIC_FLOOR = 0.02, 20
"""A co-mentioned entity is evidence for a loose or cross-type join only when named in at most this share of the
store's articles (or this many): the United States beside two names says nothing about them."""
CROSS_TYPES: dict[str, tuple[str, ...]] = {"PERS": ("ORG",), "ORG": ("PERS",)}
"""Types the tagger confuses for one referent (a person tagged ORG); a city and a person stay apart."""
DOMINANCE = 10
"""A mention joins an entity of another type or its clitic-free form only when that is named in this many times
the articles its own entity is."""
OWN_CAP = 1000
"""Articles counted for an entity in those comparisons (beyond it an entity is dwarfed by nothing)."""


def resolve_entities(store: EntityStore, article_id: int, mentions: list[dict[str, Any]]) -> None:
    """Map an article's mentions onto canonical entities in the store and record them.

    Names are merged by evidence, not by spelling alone. A spelling the store has seen for an entity resolves to
    it (``spelling_key``: script noise folded, vowels kept); a Latin-script name takes the Arabic entity of its
    gazetteer pair when the store knows that Arabic name with that type. The rest, multiword names first (they
    give the context):
    - a clitic still glued to the name (لترامب) is dropped when the bare form is a known entity that dwarfs
      the glued one;
    - a name of type PERS or ORG joins the same key of the other type when that entity dwarfs it and shares
      ``EVIDENCE`` co-mentioned entities with this article (the tagger called a person ORG);
    - a new spelling of a known name key (ترمب for ترامب, ماركل for ميركل) joins the entity of that key whose
      co-mentioned entities agree most with this article's; when the article names ``EVIDENCE`` others and none
      was ever seen beside an entity known well enough, it is a homonym: a new entity ``TYPE:key~spelling``
      (whose spelling is decided by context again each time it comes);
    - a bare name that no entity has as its key goes to the multiword entity it is an alias of, chosen by the
      entities this article co-mentions; with no shared context it goes to the dominant candidate (at least
      80% of the candidates' mentions);
    - a new name joins an entity with its sound key (شول = تشول, غوتيريش = غوتيريس, سيرخيو = سيرجيو) when they
      share a co-mentioned entity, or with its loose key (every long vowel dropped too) when they share
      ``EVIDENCE``;
    else it becomes an entity of its own.
    """
    if not mentions:
        return
    from marsad.enrich.entities import cid as make_cid
    from marsad.enrich.entities import is_latin_name, latin_link
    from marsad.text.names import loose_key, sound_key, spelling_key, word_keys

    groups: dict[str, list[dict[str, Any]]] = {}
    for m in mentions:
        groups.setdefault(m["canonical_id"], []).append(m)
    plans: dict[str, tuple[str, str, str, str, str | None]] = {}
    eids: dict[str, int] = {}
    for original, ms in groups.items():
        type_, key = original.split(":", 1)
        name = ms[0]["canonical_name"]
        target, latin = original, None
        if is_latin_name(name):
            link = latin_link(name, type_)
            # a link is taken only to a name the store already knows (its type and its use checked, not a guess)
            if link and (store.entity_id(make_cid(type_, link[0])) is not None
                         or store.alias_candidates(link[0], type_)):
                latin, key = name, link[0]
                target = make_cid(type_, key)
        plans[original] = (type_, key, name, target, latin)
        spelled = store.alias_candidates(SPELLING_ALIAS + spelling_key(name), type_) if latin is None else []
        if len(spelled) == 1 and "~" not in spelled[0][1]:  # a homonym's spelling is decided by context each time
            eids[original] = spelled[0][0]
        elif latin is not None:
            known = store.entity_id(target)
            if known is not None:
                eids[original] = known
    # multiword names first: they give the context that bare names are resolved with
    for original in sorted(groups, key=lambda c: len(plans[c][2].split()) == 1):
        type_, key, name, target, latin = plans[original]
        eid = eids.get(original)
        context = {e for o, e in eids.items() if o != original}
        bare = _without_clitic(store, type_, name, eid)
        if bare is not None:
            eid, cut = bare
            for m in groups[original]:
                m["text"], m["start"] = m["text"][cut:], m["start"] + cut
        learnt = eid is None  # a spelling the store did not know for this entity: remember it once decided
        eid = _across_types(store, type_, key, eid, context, bare=len(name.split()) == 1)
        homonym = False
        if eid is None:
            eid, homonym = _same_key(store, type_, key, target, name, context)
        if eid is None and not homonym and len(name.split()) == 1:
            eid = _pick_candidate(store, store.alias_candidates(key, type_), context)
            learnt = eid is None
        sound, loose = (sound_key(name), loose_key(name)) if eid is None else ("", "")
        if eid is None and not homonym and sound and sound != key and context:
            eid = _by_context(store, store.alias_candidates(SOUND_ALIAS + sound, type_), context, need=1)
        if eid is None and not homonym and loose and len(context) >= EVIDENCE:
            candidates = store.alias_candidates(LOOSE_ALIAS + loose, type_)
            if len(name.split()) == 1:  # a bare name may also be a word of a longer name spelled otherwise
                candidates += store.alias_candidates(LOOSE_WORD_ALIAS + loose, type_)
            eid = _by_context(store, candidates, context, need=EVIDENCE)
        spelling = SPELLING_ALIAS + spelling_key(name)
        if eid is None:
            aliases = (word_keys(name) if len(name.split()) > 1 else []) + [spelling]
            aliases += [LOOSE_ALIAS + loose] if loose else []
            aliases += [LOOSE_WORD_ALIAS + k for k in set(_loose_words(name)) if k]
            aliases += [SOUND_ALIAS + sound] if sound else []
            if homonym:
                target = f"{target}~{spelling_key(name)}"
                aliases.append(KEY_ALIAS + key)
            eid = store.create_entity(target, type_, key, latin=latin, aliases=aliases)
        else:
            if learnt and latin is None and bare is None:
                store.add_aliases(eid, type_, [spelling])
            if latin:
                store.note_latin(eid, latin)
        eids[original] = eid
    counts: Counter[tuple[int, str]] = Counter((eids[m["canonical_id"]], m["text"]) for m in mentions)
    store.replace_article_entities(article_id, [(eid, form, n) for (eid, form), n in counts.items()])
    names = store.entity_names(set(eids.values()))
    for m in mentions:
        eid = eids[m["canonical_id"]]
        m["canonical_id"], m["canonical_name"] = names[eid]
    store.set_article_entities_json(article_id, mentions)


def _loose_words(name: str) -> list[str]:
    """Loose keys of the words of a multiword name (where a bare name spelled otherwise may belong)."""
    from marsad.text.names import loose_key

    return [loose_key(w) for w in name.split()] if len(name.split()) > 1 else []


def _same_key(store: EntityStore, type_: str, key: str, target: str, name: str,
              context: set[int]) -> tuple[int | None, bool]:
    """(entity, homonym?) for a new spelling of a name key: the entity of that key whose context agrees.

    The candidate sharing the most co-mentioned entities with the article; with fewer than ``EVIDENCE`` names to
    judge by, the closest spelling (then the most mentioned), as a reader would. With no candidate known well
    enough (``KNOWN`` co-mentioned entities), or a spelling one long vowel from its name (تورنتو / تورونتو), the
    best candidate. Else it must share as many co-mentioned entities as the spelling is letters away from its
    name (up to ``FAR``), or the name is a homonym: ``(None, True)``.
    """
    from marsad.text.names import one_vowel_apart, spelling_distance

    candidates = store.alias_candidates(KEY_ALIAS + key, type_)
    main = store.entity_id(target)
    if main is not None and all(c[0] != main for c in candidates):
        candidates.append((main, target, store.entity_document_frequency(main, OWN_CAP)))
    if not candidates:
        return None, False
    shown = store.entity_names({eid for eid, _, _ in candidates})
    far = {eid: spelling_distance(name, shown[eid][1]) for eid, _, _ in candidates}
    if len(context) < EVIDENCE:  # nothing to judge by: the closest spelling, then the most mentioned
        return min(candidates, key=lambda c: (far[c[0]], -c[2]))[0], False
    seen = {eid: store.cooccurring(eid) for eid, _, _ in candidates}
    # agreement discounted by spelling distance: a homonym spelled as written wins over a busier entity nearby
    _, shared, _, eid = max((len(context & seen[eid]) / (1 + far[eid]), len(context & seen[eid]), mentions, eid)
                            for eid, _, mentions in candidates)
    if all(len(beside) < KNOWN for beside in seen.values()) or one_vowel_apart(name, shown[eid][1]):
        return eid, False
    # the further the spelling is from the entity's name, the more co-mentioned entities must agree
    return (eid, False) if shared >= max(min(far[eid], FAR), 1) else (None, True)


def _without_clitic(store: EntityStore, type_: str, name: str, own: int | None) -> tuple[int, int] | None:
    """(entity, letters cut) when ``name`` is a known entity with و ف ب ل ك (or two of them) glued in front."""
    from marsad.enrich.entities import cid as make_cid
    from marsad.text.clitics import DOUBLE_PROCLITICS, PROCLITICS
    from marsad.text.names import name_key

    first = name.split()[0] if name.split() else ""
    for cut, clitics in ((2, DOUBLE_PROCLITICS), (1, PROCLITICS)):
        if first[:cut] not in clitics or len(first) - cut < 3:
            continue
        bare = store.entity_id(make_cid(type_, name_key(name[cut:])))
        if bare is None or bare == own:
            continue
        if _dwarfs(store, bare, own, least=3):
            return bare, cut
    return None


def _across_types(store: EntityStore, type_: str, key: str, own: int | None, context: set[int], *,
                  bare: bool) -> int | None:
    """The entity of the same key and a confusable type that dwarfs ``own`` and shares its context, else ``own``.

    A ``bare`` (one-word) name also looks at the multiword names of the other type it is a word of."""
    from marsad.enrich.entities import cid as make_cid

    if len(context) < EVIDENCE:
        return own
    for other in CROSS_TYPES.get(type_, ()):
        oid = store.entity_id(make_cid(other, key))
        candidates = [oid] if oid is not None else []
        if bare:
            candidates += [eid for eid, _, _ in store.alias_candidates(key, other)]
        for cand in candidates:
            if _dwarfs(store, cand, own, least=DOMINANCE) and \
                    len(_specific(store, context & store.cooccurring(cand))) >= EVIDENCE:
                return cand
    return own


def _dwarfs(store: EntityStore, big: int, small: int | None, *, least: int) -> bool:
    """True when ``big`` is named in ``DOMINANCE`` times the articles ``small`` is, and in at least ``least``
    (counts capped, so a huge entity costs no more than the comparison needs)."""
    own = store.entity_document_frequency(small, OWN_CAP) if small is not None else 0
    need = max(least, DOMINANCE * own)
    return store.entity_document_frequency(big, need) >= need


def _specific(store: EntityStore, ids: set[int]) -> set[int]:
    """Those of ``ids`` named in few articles (``SPECIFIC`` of the store, or ``SPECIFIC_FLOOR``): context that
    tells two referents apart. The United States or Egypt beside two names says nothing about them."""
    cap = max(SPECIFIC_FLOOR, int(SPECIFIC * store.approx_article_count()))
    return {e for e in ids if store.entity_document_frequency(e, cap + 1) <= cap}


def _by_context(store: EntityStore, candidates: list[tuple[int, str, int]], context: set[int], *,
                need: int) -> int | None:
    """The candidate sharing the most specific co-mentioned entities with this article, if it shares ``need``."""
    best = max(((len(_specific(store, context & store.cooccurring(eid))), mentions, eid)
                for eid, _, mentions in candidates), default=None)
    return best[2] if best is not None and best[0] >= need else None


def _pick_candidate(store: EntityStore, candidates: list[tuple[int, str, int]], context: set[int]) -> int | None:
    """The entity a bare name belongs to: most shared context, else a dominant candidate, else none."""
    if not candidates:
        return None
    scored = [(len(context & store.cooccurring(eid)), mentions, eid) for eid, _, mentions in candidates]
    shared, mentions, eid = max(scored)
    total = sum(n for _, _, n in candidates) or 1
    return eid if shared > 0 or mentions >= 0.8 * total else None
