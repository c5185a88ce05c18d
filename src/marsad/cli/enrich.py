"""`marsad analyze / entities`: what enrichment finds in one text, and the store's canonical entities."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from marsad.cli.common import db_option, dump, fail, reading
from marsad.errors import MarsadError


@click.command()
@click.argument("target", default="-")
@click.option("--json", "as_json", is_flag=True, help="Print entities, keyphrases, category and language as JSON.")
@click.option("--title", default="", help="Title of the text (helps keyphrases and category).")
def analyze(target: str, as_json: bool, title: str) -> None:
    """Enrich one text (FILE or - for stdin; an HTML page is extracted first): entities, keyphrases, category."""
    from marsad.enrich.analyze import analyze as do_analyze
    from marsad.extraction import extract as do_extract
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
        fail(exc)
        return
    if as_json:
        click.echo(dump(result))
        return
    cat = result["category"] or {}
    click.echo(f"language: {result['language']}   category: {cat.get('label', '-')} ({cat.get('confidence', 0):.2f})")
    seen: dict[str, tuple[str, str, int]] = {}
    for ent in result["entities"]:
        name, typ, n = seen.get(ent["canonical_id"], (ent["canonical_name"], ent["type"], 0))
        seen[ent["canonical_id"]] = (name, typ, n + 1)
    click.echo("entities: " + " · ".join(f"{name} ({typ}, {n})" for name, typ, n in seen.values()))
    click.echo("keyphrases: " + " · ".join(k["phrase"] for k in result["keyphrases"]))


@click.command()
@db_option
@click.option("--type", "type_", type=click.Choice(["PERS", "LOC", "ORG", "MISC"]), default=None)
@click.option("--limit", type=int, default=50, show_default=True, help="How many entities (0 = all).")
@click.option("--json", "as_json", is_flag=True, help="Print entities with variants, types and counts as JSON.")
def entities(db: str | None, type_: str | None, limit: int, as_json: bool) -> None:
    """List canonical entities with every surface form seen, their types and counts."""
    with reading(db) as store:
        rows = store.list_entities(type_=type_, limit=limit or None)
    if as_json:
        click.echo(dump(rows))
        return
    for row in rows:
        variants = ", ".join(f"{v['form']} ({v['count']})" for v in row["variants"][:6])
        click.echo(f"{row['mentions']:>6} {row['articles']:>5}  {row['type']:<4} {row['canonical_name']}"
                   f"   [{variants}]")


COMMANDS = (analyze, entities)
