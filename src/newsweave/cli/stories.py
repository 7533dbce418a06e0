"""Commands to read and repair stories: stories, story, restory."""

from __future__ import annotations

import click

from newsweave.cli import Context, cli, echo_json, shorten
from newsweave.model import Story


@cli.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON: a list of stories.")
@click.pass_context
def stories(ctx: click.Context, as_json: bool) -> None:
    """List the stories (one per real-world event), largest first, with how sure each is
    (conf: 0 its nearest story reaches the bar of joining it .. 1 stands clearly apart).

    Subcommands fix them by hand: `stories merge A B`, `stories split ID ARTICLE_ID...`.
    """
    if ctx.invoked_subcommand is not None:
        return
    obj: Context = ctx.obj
    with obj.engine() as engine:
        found = engine.stories()
    if as_json:
        echo_json([s.to_dict() for s in found])
        return
    if not found:
        click.echo("no stories (add articles with: newsweave ingest PATH...)")
    for s in found:
        sure = "-" if s.confidence is None else f"{s.confidence:.2f}"
        click.echo(
            f"{s.id:>5}  {len(s.articles):>4} art  {s.independent_origins:>3} orig  "
            f"conf {sure:<4}  {(s.first_published or '-')[:10]:<10}  {shorten(s.title, 70)}"
        )


@stories.command("merge")
@click.argument("story_id", type=int)
@click.argument("other_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the merged story as JSON.")
@click.pass_obj
def merge(obj: Context, story_id: int, other_id: int, as_json: bool) -> None:
    """Merge story OTHER_ID into STORY_ID: one event. Recorded with its time; later
    automatic repairs and restory keep these articles together."""
    with obj.engine() as engine:
        try:
            merged = engine.merge_stories(story_id, other_id)
        except ValueError as error:
            raise click.UsageError(str(error)) from error
    if as_json:
        echo_json(merged.to_dict())
        return
    click.echo(f"merged story {other_id} into {merged.id}: {len(merged.articles)} articles")


@stories.command("split")
@click.argument("story_id", type=int)
@click.argument("article_ids", type=int, nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the new story as JSON.")
@click.pass_obj
def split(obj: Context, story_id: int, article_ids: tuple[int, ...], as_json: bool) -> None:
    """Move ARTICLE_IDS out of STORY_ID into a new story: another event. Recorded with its
    time; later automatic repairs and restory keep the two apart."""
    with obj.engine() as engine:
        try:
            new = engine.split_story(story_id, list(article_ids))
        except ValueError as error:
            raise click.UsageError(str(error)) from error
    if as_json:
        echo_json(new.to_dict())
        return
    click.echo(f"split {len(new.articles)} articles off story {story_id} into story {new.id}")


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
        ("confidence", "-" if s.confidence is None else
         f"{s.confidence:.2f} (cohesion {s.cohesion:.2f}; nearest story "
         f"{s.nearest_story or '-'} at {s.nearest_similarity:.2f})"),
    ):
        lines.append(f"{label:>10}: {value}")
    lines.append("")
    return "\n".join(lines)
