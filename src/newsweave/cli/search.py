"""The ``search`` command: full-text search over the stored articles."""

from __future__ import annotations

import click

from newsweave.cli import Context, cli, echo_json, shorten
from newsweave.store.search import MARK_END, MARK_START


@cli.command()
@click.argument("query")
@click.option("--outlet", metavar="NAME", help="Only this outlet's articles.")
@click.option("--language", metavar="CODE", help="Only articles in this language (e.g. en).")
@click.option("--story", type=int, metavar="ID", help="Only the articles of this story.")
@click.option("--one-per-origin", is_flag=True, help="Fold copies of one original into one hit.")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True,
              help="How many hits to show.")
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON: hits, total, facets, date histogram.")
@click.pass_obj
def search(obj: Context, query: str, outlet: str | None, language: str | None,
           story: int | None, one_per_origin: bool, limit: int, as_json: bool) -> None:
    """Search titles and bodies: words, "a phrase", OR, NOT, prefix*; best match first."""
    with obj.engine() as engine:
        result = engine.search(query, outlet=outlet, language=language, story=story,
                               one_per_origin=one_per_origin, limit=limit)
    if as_json:
        echo_json(result.to_dict())
        return
    if result.message:
        click.echo(result.message, err=True)
    click.echo(f"{result.total} hit(s)")
    for h in result.hits:
        snippet = shorten(h.snippet.replace(MARK_START, "[").replace(MARK_END, "]"), 110)
        folded = f"  (+{h.copies} copies)" if h.copies else ""
        click.echo(f"{h.article:>6}  {(h.published or '-')[:10]:<10}  {(h.outlet or '-')[:22]:<22}"
                   f"  {shorten(h.title, 60)}{folded}\n        {snippet}")
