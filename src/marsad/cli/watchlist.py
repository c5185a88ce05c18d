"""`marsad watchlist add / list / remove` and `marsad deliver`: watchlists and their alerts."""

from __future__ import annotations

import sys

import click

from marsad.cli.common import db_option, dump, fail, reading
from marsad.errors import ConfigError, MarsadError


@click.group()
def watchlist() -> None:
    """Watchlists: alerts when new articles match a query, a name, outlets or a category."""


@watchlist.command("add")
@click.argument("name")
@db_option
@click.option("--query", default=None, metavar="Q",
              help="Search syntax: every word (or OR-group) present, -word absent.")
@click.option("--entity", default=None, metavar="NAME",
              help="A name (every spelling counts: ترمب = ترامب) or TYPE:name to limit its type.")
@click.option("--source", "sources", multiple=True, metavar="S", help="Only articles of this outlet (repeatable).")
@click.option("--category", default=None, metavar="C", help="Only articles of this category.")
@click.option("--min-outlets", type=int, default=None, metavar="K",
              help="Fire once per story, when a story with a matching article reaches K outlets.")
@click.option("--webhook", default=None, metavar="URL", help="POST each alert as signed JSON to this URL.")
@click.option("--email", default=None, metavar="ADDRESS", help="Email each alert (SMTP server: $MARSAD_SMTP_URL).")
@click.option("--digest", type=click.Choice(["hourly", "daily"]), default=None,
              help="One alert per UTC hour or day holding its matches, instead of one per match.")
@click.option("--json", "as_json", is_flag=True, help="Print the watchlist (with its secret) as JSON.")
def add(name: str, db: str | None, query: str | None, entity: str | None, sources: tuple[str, ...],
        category: str | None, min_outlets: int | None, webhook: str | None, email: str | None, digest: str | None,
        as_json: bool) -> None:
    """Add a watchlist; prints its webhook signing secret (shown this once)."""
    from marsad.ingestion.alerts import make_watchlist
    from marsad.store import open_store

    try:
        row = make_watchlist(name, query=query, entity=entity, sources=sources, category=category,
                             min_outlets=min_outlets, webhook=webhook, email=email, digest=digest)
        store = open_store(db)
        try:
            if not store.add_watchlist(row):
                raise ConfigError(f"there is already a watchlist named {row['name']!r}: pick another name, "
                                  "or `marsad watchlist remove` it first")
        finally:
            store.close()
    except MarsadError as exc:
        fail(exc)
    if as_json:
        click.echo(dump(row))
        return
    click.echo(f"added watchlist {row['name']}")
    click.echo(f"secret: {row['secret']}")
    click.echo("  (webhooks carry X-Marsad-Signature: sha256=HMAC-SHA256(secret, body); "
               "keep it, it is not shown again)")


@watchlist.command("list")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the watchlists with their health as JSON.")
def list_(db: str | None, as_json: bool) -> None:
    """List watchlists with their matches and delivery health."""
    from marsad.ingestion.alerts import public_view

    with reading(db) as store:
        rows = [public_view(r) for r in store.list_watchlists()]
    if as_json:
        click.echo(dump({"watchlists": rows}))
        return
    if not rows:
        click.echo("no watchlists yet: `marsad watchlist add NAME --query ...`")
        return
    for r in rows:
        what = " ".join(f"{k}={r[k]!r}" for k in ("query", "entity", "category", "min_outlets", "digest") if r[k])
        if r["sources"]:
            what += f" sources={r['sources']!r}"
        to = " ".join(x for x in (r["webhook"], r["email"]) if x) or "(no channel: matches and feed only)"
        click.echo(f"{r['name']}: {what}")
        click.echo(f"    → {to}")
        click.echo(f"    {r['matches']} matches, {r['sent']} sent, {r['pending']} pending, {r['failed']} failed"
                   + (f"; last error: {r['last_error']}" if r["last_error"] else ""))


@watchlist.command("remove")
@click.argument("name")
@db_option
def remove(name: str, db: str | None) -> None:
    """Remove a watchlist with its matches and alerts (pending alerts are not sent)."""
    from marsad.store import open_store

    try:
        store = open_store(db)
        try:
            if not store.remove_watchlist(name):
                raise ConfigError(f"no watchlist named {name!r} (see `marsad watchlist list`)")
        finally:
            store.close()
    except MarsadError as exc:
        fail(exc)
    click.echo(f"removed watchlist {name}")


@click.command()
@db_option
@click.option("--allow-loopback", is_flag=True, help="Allow webhooks to 127.0.0.0/8 and ::1 (local receivers).")
@click.option("--allow-private", is_flag=True, help="Allow webhooks to private and loopback addresses.")
@click.option("--max-wait", type=click.FloatRange(min=0), default=30.0, show_default=True,
              help="Seconds to wait for retries coming due before leaving them to the next run.")
@click.option("--json", "as_json", is_flag=True, help="Print the delivery report as JSON.")
def deliver(db: str | None, allow_loopback: bool, allow_private: bool, max_wait: float, as_json: bool) -> None:
    """Send due alerts: signed webhooks and email, retried with backoff, marked sent only once received."""
    from marsad.ingestion.deliver import DeliverOptions
    from marsad.ingestion.deliver import deliver as run
    from marsad.store import open_store

    try:
        options = DeliverOptions(allow_loopback=allow_loopback, allow_private=allow_private, max_wait=max_wait)
        store = open_store(db)
        try:
            report = run(store, options)
        finally:
            store.close()
    except MarsadError as exc:
        fail(exc)
    data = report.to_dict()
    if as_json:
        click.echo(dump(data))
    else:
        click.echo(f"{data['sent']} sent, {data['failed_attempts']} failed attempts, {data['gave_up']} given up, "
                   f"{data['refused']} refused, {data['digests']} digests made, {data['pending']} pending")
        for error in data["errors"]:
            click.echo(f"  {error}")
    if report.refused:          # this run's settings kept them back: they stay pending for a run that allows them
        click.echo(f"error: {report.refused} alert(s) not sent and kept pending: {report.errors[0]}", err=True)
        sys.exit(1)


COMMANDS = (watchlist, deliver)
