"""Commands to read and repair stories: stories, story, restory."""

from __future__ import annotations

import click

from newsweave.cli import Context, cli, echo_json, shorten
from newsweave.model import Story


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON: a list of stories.")
@click.pass_obj
def stories(obj: Context, as_json: bool) -> None:
    """List the stories (one per real-world event), largest first."""
    with obj.engine() as engine:
        found = engine.stories()
    if as_json:
        echo_json([s.to_dict() for s in found])
        return
    if not found:
        click.echo("no stories (add articles with: newsweave ingest PATH...)")
    for s in found:
        click.echo(
            f"{s.id:>5}  {len(s.articles):>4} art  {s.independent_origins:>3} orig  "
            f"{(s.first_published or '-')[:10]:<10}  {shorten(s.title, 70)}"
        )


@cli.command()
@click.argument("story_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the story as JSON.")
@click.pass_obj
def story(obj: Context, story_id: int, as_json: bool) -> None:
    """Show one story: title, dates, outlets, entities and its articles.

    A story id that was merged into another shows the surviving story.
    """
    with obj.engine() as engine:
        found = engine.story(story_id)
        articles = [engine.article(a) for a in found.articles]
    if as_json:
        echo_json(found.to_dict())
        return
    click.echo(_render_story(found))
    for a in articles:
        click.echo(
            f"  {a.id:>5}  {(a.published or '-')[:10]:<10}  {(a.outlet or '-')[:24]:<24}  "
            f"{shorten(a.title or a.text, 60)}"
        )


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print what changed as JSON.")
@click.pass_obj
def restory(obj: Context, as_json: bool) -> None:
    """Re-cluster all stories: merge those that grew together, split those that drifted."""
    with obj.engine() as engine:
        report = engine.restory()
    if as_json:
        echo_json(report)
        return
    merged: list[dict[str, int]] = report["merged"]  # type: ignore[assignment]
    split: list[dict[str, int]] = report["split"]  # type: ignore[assignment]
    for m in merged:
        click.echo(f"merged: story {m['story']} into {m['into']}")
    for s in split:
        click.echo(f"split: story {s['new']} split off story {s['story']}")
    click.echo(f"{len(merged)} merged, {len(split)} split, {report['moved_articles']} articles "
               f"moved, {report['stories_checked']} stories checked")


def _render_story(s: Story) -> str:
    lines = [f"# {s.title or '(untitled)'}", ""]
    for label, value in (
        ("id", s.id), ("articles", len(s.articles)), ("origins", s.independent_origins),
        ("published", f"{s.first_published or '?'} .. {s.last_published or '?'}"),
        ("outlets", ", ".join(s.outlets) or "-"), ("entities", ", ".join(s.entities) or "-"),
    ):
        lines.append(f"{label:>10}: {value}")
    lines.append("")
    return "\n".join(lines)
