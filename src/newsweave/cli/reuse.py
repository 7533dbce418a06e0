"""Commands of the reuse stage: provenance (who copied whom) and similar."""

from __future__ import annotations

import click

from newsweave.cli import Context, cli, echo_json, shorten


@cli.command()
@click.option("--story", "story", type=int, metavar="ID", help="Only the articles of this story.")
@click.option("--json", "fmt", flag_value="json", help="Print JSON: edges and origins.")
@click.option("--dot", "fmt", flag_value="dot", help="Print the graph in Graphviz DOT.")
@click.option("--graphml", "fmt", flag_value="graphml", help="Print the graph as GraphML.")
@click.pass_obj
def provenance(obj: Context, story: int | None, fmt: str | None) -> None:
    """Who copied whom: copies, rewrites, shared quotes, and the independent origins."""
    from newsweave.reuse.graph import to_dot, to_graphml

    with obj.engine() as engine:
        graph = engine.provenance_graph(story)
    if fmt == "json":
        echo_json(graph.to_dict())
        return
    if fmt == "dot":
        click.echo(to_dot(graph), nl=False)
        return
    if fmt == "graphml":
        click.echo(to_graphml(graph), nl=False)
        return
    if not graph.nodes:
        click.echo("no articles (add some with: newsweave ingest PATH...)")
        return
    label = graph.nodes
    derived = [e for e in graph.edges if e.kind in ("copy", "rewrite", "translation")]
    click.echo(f"{len(graph.origins)} independent origin(s), {len(derived)} derived article(s)")
    for group in graph.origins:
        head, rest = group[0], group[1:]
        click.echo(f"\norigin {head}: {shorten(label.get(head, '?'), 80)}")
        for e in derived:
            if e.derived in rest:
                credit = f", credits {e.attribution!r}" if e.attribution else ""
                click.echo(f"  {e.derived:>5} {e.kind:<11} of {e.source:<5} "
                           f"{e.shared_fraction:>4.0%} shared, confidence {e.confidence:.2f}"
                           f"{credit}  {shorten(label.get(e.derived, '?'), 50)}")
    quotes = [e for e in graph.edges if e.kind == "shared-quotes"]
    if quotes:
        pairs = ", ".join(f"{e.source}–{e.derived}" for e in quotes)
        click.echo(f"\nshared quotations only (not copies): {pairs}")


@cli.command()
@click.argument("article_id", type=int)
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True,
              help="How many articles to list.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: a list of neighbours.")
@click.pass_obj
def similar(obj: Context, article_id: int, limit: int, as_json: bool) -> None:
    """List an article's nearest articles, with their relation and a score (0-1)."""
    with obj.engine() as engine:
        found = engine.similar(article_id, limit=limit)
    if as_json:
        echo_json([n.to_dict() for n in found])
        return
    if not found:
        click.echo(f"nothing similar to article {article_id} yet")
    for n in found:
        click.echo(f"{n.article:>5}  {n.score:.2f}  {n.relation:<18} {(n.outlet or '-')[:22]:<22} "
                   f"{shorten(n.title, 60)}")
