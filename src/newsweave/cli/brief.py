"""``newsweave brief``: the cited brief of one story as Markdown, HTML or JSON."""

from __future__ import annotations

from pathlib import Path

import click

from newsweave.cli import Context, cli


@cli.command()
@click.argument("story_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["md", "html", "json"]), default="md",
              show_default=True, help="Markdown, one self-contained HTML file, or JSON.")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of standard output.")
@click.pass_obj
def brief(obj: Context, story_id: int, fmt: str, output: str | None) -> None:
    """The cited brief of STORY_ID: lead, key facts, contested points, quotes, timeline.

    Every sentence is taken from the story's articles and cites them by id
    (as in `newsweave articles --json`); each citation is checked against the
    cited article's text.
    """
    from newsweave.brief import render

    with obj.engine() as engine:
        text = render(engine.brief(story_id), fmt)
    if output is None:
        click.echo(text, nl=False)
        return
    Path(output).write_text(text, encoding="utf-8")
    click.echo(f"wrote {output}", err=True)
