"""`marsad watch / feeds`: poll live feeds into the store, and their health."""

from __future__ import annotations

import click

from marsad.cli.common import db_option, dump, fail, reading
from marsad.errors import MarsadError


@click.command()
@click.option("--feeds", "feeds_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Feed list: OPML or .txt (one URL per line). Default: the bundled OPML of Arabic outlets.")
@db_option
@click.option("--once", is_flag=True, help="Poll every feed once and exit (otherwise run until SIGINT/SIGTERM).")
@click.option("--allow-private", is_flag=True, help="Allow private/loopback addresses (never needed for real feeds).")
@click.option("--allow-loopback", is_flag=True, help="Allow 127.0.0.0/8 and ::1 only (local test servers).")
@click.option("--per-host-delay", type=float, default=1.0, show_default=True,
              help="Minimum seconds between requests to one host (robots.txt Crawl-delay can raise it).")
@click.option("--lease", "lease_seconds", type=click.FloatRange(min=1), default=900, show_default=True,
              help="Seconds a feed stays leased to this watcher (renewed while it polls; another watcher sharing the "
                   "store takes the feed over when a dead watcher's lease runs out).")
@click.option("--json", "as_json", is_flag=True, help="Print the pass report as JSON.")
def watch(feeds_file: str | None, db: str | None, once: bool, allow_private: bool, allow_loopback: bool,
          per_host_delay: float, lease_seconds: float, as_json: bool) -> None:
    """Poll feeds and sitemaps politely and ingest new articles (feed state survives restarts)."""
    from marsad.ingestion.watch import WatchOptions, run_watch
    from marsad.sources.feeds import default_feed_list, read_feed_list
    from marsad.sources.fetch import FetchOptions
    from marsad.store import open_store

    try:
        feeds = read_feed_list(feeds_file) if feeds_file else default_feed_list()
        options = WatchOptions(lease_seconds=lease_seconds,
                               fetch=FetchOptions(allow_private=allow_private, allow_loopback=allow_loopback,
                                                  per_host_delay=per_host_delay))
        store = open_store(db)
        try:
            report = run_watch(store, feeds, once=once, options=options)
        finally:
            store.close()
    except MarsadError as exc:
        fail(exc)
        return
    data = report.to_dict()
    if as_json:
        click.echo(dump(data))
        return
    click.echo(f"{data['passes']} pass(es), {data['polls']} polls: {data['new']} new items, {data['stored']} stored, "
               f"{data['duplicate']} duplicate, {data['rejected']} rejected, {data['not_modified']} not modified, "
               f"{data['errors']} feed errors")
    for poll in data["feeds"]:
        if poll["status"] == "error":
            click.echo(f"  failing: {poll['url']}: {poll['error']}")


@click.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print feed health as JSON.")
def feeds(db: str | None, as_json: bool) -> None:
    """Show each watched feed's health: last success, errors, interval, next poll, articles."""
    with reading(db) as store:
        rows = store.list_feeds()
    for row in rows:
        row["health"] = "failing" if row["error_count"] >= 3 else ("retrying" if row["error_count"] else
                                                                   ("ok" if row["last_success"] else "never polled"))
    if as_json:
        click.echo(dump(rows))
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


COMMANDS = (watch, feeds)
