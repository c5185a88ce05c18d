"""`marsad copy`: a whole store into another backend, with a progress bar, resumable, checked at the end."""

from __future__ import annotations

import sys
from contextlib import ExitStack

import click

from marsad.cli.common import dump, fail
from marsad.errors import MarsadError

DEFAULT_BATCH = 2000   # marsad.ingestion.copy.DEFAULT_BATCH; kept here so --help imports no store code


@click.command("copy")
@click.option("--from", "source", required=True, metavar="SRC",
              help="The store to copy: a path or a store URL (opened read-only).")
@click.option("--to", "target", required=True, metavar="DST",
              help="The new store: a path or a store URL, empty or an interrupted copy of SRC.")
@click.option("--batch", default=DEFAULT_BATCH, show_default=True, type=click.IntRange(min=1),
              help="Rows per committed batch.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def copy_store_command(source: str, target: str, batch: int, progress: bool | None, as_json: bool) -> None:
    """Copy a whole store into another (SQLite, PostgreSQL), resumable, checked at the end.

    Every table moves in key order and commits per batch: when a copy stops, run the same command again and it
    goes on where it stopped. The destination rebuilds its search index; vector index files are not copied
    (run `marsad reindex --vectors` there). The copy ends with every table's count and checksum compared."""
    from tqdm import tqdm

    from marsad.ingestion.copy import CopyProgress, copy_store
    from marsad.store import open_store

    show = sys.stderr.isatty() if progress is None else progress
    try:
        with ExitStack() as stack:
            src = open_store(source, readonly=True)
            stack.callback(src.close)
            dst = open_store(target)
            stack.callback(dst.close)
            bar = stack.enter_context(tqdm(unit="row", disable=not show, dynamic_ncols=True))

            def step(at: CopyProgress) -> None:
                bar.total = at.total
                bar.n = at.done
                bar.set_description(at.table, refresh=False)
                bar.refresh()

            report = copy_store(src, dst, batch=batch, progress=step)
    except KeyboardInterrupt:
        click.echo("error: interrupted; run the same command again to resume the copy", err=True)
        sys.exit(1)
    except MarsadError as exc:
        fail(exc)
    data = report.to_dict()
    if as_json:
        click.echo(dump(data))
        return
    again = f" ({data['rows'] - data['copied']} were already there)" if report.resumed else ""
    click.echo(f"copied {data['copied']} of {data['rows']} rows{again} in {data['seconds']} s")
    click.echo(f"  {'table':<18} {'rows':>9} {'copied':>9}  check")
    for t in report.tables:
        click.echo(f"  {t.table:<18} {t.rows:>9} {t.copied:>9}  {'ok' if t.ok else 'DIFFERS'}")
    click.echo(f"search index rebuilt: {report.search_index.get('articles', 0)} articles")
    click.echo("check: ok, every table has the source's row count and checksum")
    for note in report.notes:
        click.echo(f"note: {note}")


COMMANDS = (copy_store_command,)
