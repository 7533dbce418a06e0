"""Commands of the extraction stage: entities, quotes, dates."""

from __future__ import annotations

import click

from newsweave.cli import Context, cli, echo_json, shorten


@cli.command()
@click.option("--story", "story", type=int, metavar="ID", help="Only this story's articles.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: a list of entities.")
@click.pass_obj
def entities(obj: Context, story: int | None, as_json: bool) -> None:
    """List canonical entities: name, type, spellings seen, roles, mentions per article."""
    with obj.engine() as engine:
        found = engine.entities(story=story)
    if as_json:
        echo_json([e.to_dict() for e in found])
        return
    if not found:
        click.echo("no entities (ingest some articles first)")
    for e in found:
        counts = ", ".join(f"{a}:{n}" for a, n in e.articles.items())
        click.echo(f"{e.id:>5}  {e.type:<7} {shorten(e.name, 34):<34} articles {counts}")
        if e.aliases:
            click.echo(f"{'':>14}also: {shorten('; '.join(e.aliases), 90)}")
        if e.roles:
            click.echo(f"{'':>14}roles: {shorten('; '.join(e.roles), 90)}")


@cli.command()
@click.option("--story", "story", type=int, metavar="ID", help="Only this story's articles.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: a list of quote groups.")
@click.pass_obj
def quotes(obj: Context, story: int | None, as_json: bool) -> None:
    """List quotes and reported statements, grouped across the articles carrying them."""
    with obj.engine() as engine:
        found = engine.quotes(story=story)
    if as_json:
        echo_json([q.to_dict() for q in found])
        return
    if not found:
        click.echo("no quotes (ingest some articles first)")
    for q in found:
        mark = "“”" if q.direct else "~ "
        click.echo(f"{q.id:>5}  {mark[0]}{shorten(q.text, 90)}{mark[1]}")
        click.echo(f"{'':>7}speaker: {q.speaker or '-'}  cue: {q.cue or '-'}  "
                   f"articles: {', '.join(map(str, q.articles))}")


@cli.command()
@click.argument("article_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON: the article's expressions.")
@click.pass_obj
def dates(obj: Context, article_id: int, as_json: bool) -> None:
    """Temporal expressions of one article, resolved against its publication date."""
    with obj.engine() as engine:
        found = engine.dates(article_id)
    if as_json:
        echo_json(found)
        return
    if found["reported"]:
        click.echo(f"reported: {found['reported']}")
    elif found["reported_range"]:
        low, high = found["reported_range"]
        click.echo(f"reported: unknown; inferred from its story: {low} to {high}")
    else:
        click.echo("reported: unknown (no publication date, no dated story): dates unresolved")
    for x in found["expressions"]:
        when = x["date"] or (" to ".join(x["range"]) if x["range"] else "unresolved")
        flag = " (inferred)" if x["inferred"] else ""
        role = " [report date]" if x["role"] == "report" else ""
        click.echo(f"  {shorten(x['text'], 28):<28} {when}{flag}{role}")
        click.echo(f"  {'':<28} {shorten(x['sentence'], 90)}")
