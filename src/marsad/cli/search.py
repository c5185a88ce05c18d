"""`marsad search` and `marsad reindex`: the search side of the command line."""

from __future__ import annotations

import sys
from typing import Any

import click

from marsad.cli.common import db_option, dump, fail
from marsad.config import default_db_path
from marsad.errors import MarsadError, QueryError, SchemaError, SchemaUpgradeNeeded
from marsad.models import SearchMode


def _bad_query(exc: QueryError) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(2)


def _marked(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with its highlight spans in bold (plain text when the output is not a terminal)."""
    out, pos = [], 0
    for start, end in spans:
        out.append(text[pos:start])
        out.append(click.style(text[start:end], bold=True, fg="yellow"))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _print_hit(hit: Any, prefix: str) -> None:
    when = (hit.published_at or "")[:10] or "-"
    click.echo(f"{prefix}{_marked(hit.title, hit.title_highlights)}")
    click.echo(f"{' ' * len(prefix)}{hit.source or '-'} · {when} · #{hit.id}"
               + (f" · story {hit.story_id}" if hit.story_id is not None else "")
               + f" · score {hit.score:.2f}" + {"all": "", "some": " · some words", "semantic": " · by meaning"}
               .get(hit.matched, ""))
    click.echo(f"{' ' * len(prefix)}{_marked(hit.snippet, hit.highlights)}")


@click.command()
@click.argument("query")
@db_option
@click.option("--k", "k", default=10, show_default=True, type=int, help="How many hits (stories when grouped).")
@click.option("--source", "sources", multiple=True, metavar="NAME", help="Only this outlet (repeat for several).")
@click.option("--since", default=None, metavar="DATE", help="Published on or after this ISO date (YYYY[-MM[-DD]]).")
@click.option("--until", default=None, metavar="DATE", help="Published on or before this ISO date (inclusive).")
@click.option("--category", default=None, metavar="LABEL", help="Only this category (politics, economy, sport, ...).")
@click.option("--entity", default=None, metavar="ID",
              help="Only articles naming this entity: TYPE:key from `marsad entities`, an entity id, or a name.")
@click.option("--story", "story_id", default=None, type=int, metavar="N", help="Only articles of this story.")
@click.option("--include-duplicates", is_flag=True, help="Also return copies of stored articles (left out by default).")
@click.option("--group-by-story", is_flag=True, help="One entry per story: its best hit, the others listed under it.")
@click.option("--mode", type=click.Choice([m.value for m in SearchMode]), default=SearchMode.LEXICAL.value,
              show_default=True,
              help="Ranking: lexical (BM25 over the Arabic analyzer), semantic (nearest article embeddings) or "
                   "hybrid (reciprocal rank fusion of both).")
@click.option("--embedder", default=None, metavar="NAME",
              help="Embedder of the query in semantic/hybrid mode (default: the one most articles were embedded with).")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON (the stable contract).")
def search(query: str, db: str | None, k: int, sources: tuple[str, ...], since: str | None, until: str | None,
           category: str | None, entity: str | None, story_id: int | None, include_duplicates: bool,
           group_by_story: bool, mode: str, embedder: str | None, as_json: bool) -> None:
    """Search the stored articles: every word in its exact or stemmed form, "phrases", -exclusions, OR."""
    from marsad.models import SearchFilters
    from marsad.query import parse_query
    from marsad.query import search as do_search
    from marsad.store import open_store

    try:
        filters = SearchFilters(sources=sources, since=since, until=until, category=category, entity=entity,
                                story_id=story_id, include_duplicates=include_duplicates)
        parsed = parse_query(query)           # a bad query is reported before the store is opened
    except QueryError as exc:
        _bad_query(exc)
        return
    try:
        store = open_store(db, readonly=True)
    except SchemaError as exc:
        fail(SchemaError(f"{exc} (`marsad reindex --db {db or default_db_path()}` upgrades it)"))
    except MarsadError as exc:
        fail(exc)
    try:
        response = do_search(store, parsed, k=k, filters=filters, mode=mode, group_by_story=group_by_story,
                             embedder=embedder)
    except QueryError as exc:
        _bad_query(exc)
        return
    except MarsadError as exc:
        fail(exc)
    finally:
        store.close()
    if as_json:
        click.echo(dump(response.to_dict()))
        return
    if not response.hits:
        click.echo(f"no articles match {query!r}" + (" with these filters" if response.filters else ""))
        return
    if response.groups is None:
        for hit in response.hits:
            _print_hit(hit, f"{hit.rank:>3}. ")
            click.echo("")
        return
    for group in response.groups:
        _print_hit(group.hits[0], f"{group.rank:>3}. ")
        for other in group.hits[1:]:
            when = (other.published_at or "")[:10] or "-"
            click.echo(f"       + {other.title} ({other.source or '-'} · {when} · #{other.id})")
        click.echo("")


@click.command()
@db_option
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal).")
@click.option("--vectors", is_flag=True,
              help="Rebuild the vector index of semantic search instead (<db>.vectors.<embedder>.*).")
@click.option("--embedder", default=None, metavar="NAME", help="With --vectors: only this embedder's index.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def reindex(db: str | None, progress: bool | None, vectors: bool, embedder: str | None, as_json: bool) -> None:
    """Rebuild the search index from the stored articles (and upgrade an older store's schema)."""
    if vectors:
        _reindex_vectors(db, embedder, as_json)
        return
    from tqdm import tqdm

    from marsad.store import open_store

    path = db or default_db_path()
    _must_exist(path)
    try:
        store = open_store(path)
        try:
            show = sys.stderr.isatty() if progress is None else progress
            with tqdm(unit="article", disable=not show, dynamic_ncols=True) as bar:
                def step(done: int, total: int) -> None:
                    bar.total = total
                    bar.update(done - bar.n)

                summary = store.rebuild_search_index(progress=step)
        finally:
            store.close()
    except MarsadError as exc:
        fail(exc)
    if as_json:
        click.echo(dump(summary))
        return
    size = f"{summary['bytes'] / 1e6:.1f} MB" if summary.get("bytes") is not None else "unknown size"
    rate = summary["articles"] / summary["seconds"] if summary["seconds"] else 0.0
    click.echo(f"indexed {summary['articles']} articles in {summary['seconds']:.1f} s ({rate:.0f}/s); "
               f"search index {size}")


def _must_exist(path: str) -> None:
    """Fail with "no store at ..." rather than create an empty store (an older schema is fine: reindex upgrades it)."""
    from marsad.store import open_store

    try:
        open_store(path, readonly=True).close()
    except SchemaUpgradeNeeded:
        pass
    except MarsadError as exc:
        fail(exc)


def _reindex_vectors(db: str | None, embedder: str | None, as_json: bool) -> None:
    """``marsad reindex --vectors``: rebuild the vector index of each embedder (or of ``embedder``)."""
    from marsad.query.vectors import build_index
    from marsad.store import open_store

    path = db or default_db_path()
    _must_exist(path)
    try:
        store = open_store(path)
        try:
            names = [embedder] if embedder else list(store.embedder_counts(sample=None))
            if not names:
                raise QueryError("the store has no article embeddings: ingest with --embedder use (the default) "
                                 "or run `marsad cluster --embedder use`")
            built = [build_index(store, name) for name in names]
        finally:
            store.close()
    except QueryError as exc:
        _bad_query(exc)
        return
    except MarsadError as exc:
        fail(exc)
    if as_json:
        click.echo(dump({"vectors": [b.to_dict() for b in built]}))
        return
    for b in built:
        size = (f"{b.bytes / 1e6:.1f} MB beside the store" if b.bytes is not None else
                "in memory (a PostgreSQL store has no folder for index files: each serving process derives its own "
                "from the stored embeddings; the pgvector extension is not used)")
        click.echo(f"vector index {b.embedder}: {b.vectors} articles ({b.kind}) in {b.seconds:.1f} s; {size}")


COMMANDS = (search, reindex)
