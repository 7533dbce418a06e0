"""The ``check`` command: the store's integrity, or one claim checked against the store."""

from __future__ import annotations

import sys

import click

from newsweave.cli import Context, cli, echo_json, shorten


@cli.command()
@click.argument("claim", required=False)
@click.option("--story", "story", type=int, metavar="ID",
              help="Only the articles of this story.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def check(obj: Context, claim: str | None, story: int | None, as_json: bool) -> None:
    """Check CLAIM against the stored articles, or (without CLAIM) the store's integrity.

    With CLAIM: every article that supports, contradicts or discusses it, grouped by
    independent origin, each with its passage, and a verdict: corroborated (two or more
    independent origins support it, none contradicts), contested, single-source or
    unverified. Without CLAIM: integrity problems of the store (exit 1 if any).
    """
    if claim is None:
        if story is not None:
            raise click.UsageError("--story needs a CLAIM to check")
        with obj.engine() as engine:
            problems = engine.check_store()
            stages = engine.stage_status()
        if as_json:
            echo_json({"problems": problems, "stages": stages})
        else:
            click.echo("\n".join(problems) if problems else "store OK")
            # Pending work is no problem (an ingest may have chosen its stages), but say it.
            click.echo("stages: " + ", ".join(
                f"{name} {s['done']} done" + (f", {s['pending']} pending" if s["pending"] else "")
                for name, s in stages.items()))
            if any(s["pending"] for s in stages.values()):
                click.echo("pending stages run with: newsweave analyze")
        if problems:
            sys.exit(1)
        return
    if not claim.strip():
        raise click.UsageError("CLAIM is empty: give the statement to check")
    with obj.engine() as engine:
        result = engine.check(claim, story=story)
    if as_json:
        echo_json(result.to_dict())
        return
    count = sum(len(o.articles) for o in result.origins)
    click.echo(f"{result.verdict}: {len(result.origins)} independent origin(s), {count} "
               f"article(s) of {result.searched} read")
    for origin in result.origins:
        outlets = ", ".join(origin.outlets) or "outlet unknown"
        click.echo(f"\norigin {origin.origin} ({outlets}): {origin.stance}")
        for item in origin.articles:
            click.echo(f"  {item.article:>6} {item.stance:<11} {item.score:.2f}  "
                       f"{shorten(item.evidence, 90)}")
