"""`marsad related`: the related list of a stored article, on the command line."""

from __future__ import annotations

from typing import Any

import click

from marsad.cli.common import db_option, dump, fail, reading
from marsad.errors import MarsadError

_REASONS = {"same_story": "same story", "shared_entities": "shared entities", "similar_topic": "similar topic",
            "semantic": "semantic"}


def _print_item(rank: int, item: Any) -> None:
    when = (item.published_at or "")[:10] or "-"
    age = ""
    if item.age_days is not None:
        age = f" · {abs(item.age_days):.1f} d {'before' if item.age_days >= 0 else 'after'}"
    click.echo(f"{rank:>3}. {item.title}")
    click.echo(f"     {item.source or '-'} · {when}{age} · #{item.id} · {_REASONS[item.reason]} · "
               f"score {item.score:.2f}" + (" · background" if item.background else ""))
    if item.shared_entities:
        click.echo(f"     shared: {', '.join(item.shared_entities)}")
    if item.collapsed:
        more = f" (+{len(item.collapsed) - 10})" if len(item.collapsed) > 10 else ""
        click.echo(f"     also: {', '.join(f'#{i}' for i in item.collapsed[:10])}{more}")


@click.command()
@click.argument("article_id", metavar="ID", type=int)
@db_option
@click.option("--k", "k", default=10, show_default=True, type=click.IntRange(1, 100), help="At most this many entries.")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON (the stable contract).")
def related(article_id: int, db: str | None, k: int, as_json: bool) -> None:
    """Articles related to article ID: same story first, then shared entities and topic, then semantic
    neighbours; copies and repeated coverage of one story folded into one entry."""
    from marsad.query.related import RelatedOptions
    from marsad.query.related import related as find_related

    with reading(db) as store:
        try:
            result = find_related(store, article_id, RelatedOptions(k=k))
        except MarsadError as exc:
            fail(exc)
    if as_json:
        click.echo(dump(result.to_dict()))
        return
    head = result.article
    click.echo(f"related to #{head['id']}: {head['title']}"
               + (f" (story {head['story_id']})" if head["story_id"] is not None else ""))
    if not result.items:
        click.echo("no related articles found")
        return
    for rank, item in enumerate(result.items, 1):
        _print_item(rank, item)


COMMANDS = (related,)
