"""The ``stance`` command: claim/text pairs from JSON lines to stances, for batch checking."""

from __future__ import annotations

import json
import sys

import click

from newsweave.cli import cli, shorten


@cli.command()
@click.argument("pairs", type=click.File("r", encoding="utf-8", errors="replace"))
@click.option("--json", "as_json", is_flag=True,
              help='Print JSON lines: {"id", "stance", "score", "evidence"} per input line.')
def stance(pairs: click.utils.LazyFile, as_json: bool) -> None:
    """Stance of each text toward its claim: supports, contradicts, discusses or unrelated.

    PAIRS is a JSON-lines file (or - for stdin), one {"id", "claim", "text"} per line.
    A text that recurs across lines is analysed once. A bad line is reported on stderr
    with its number and reason, the rest are still read, and the exit code is 1.
    """
    from newsweave.crosscheck.stance_batch import stance_lines

    bad = 0
    for out in stance_lines(pairs):
        if "error" in out:
            bad += 1
            ident = f" (id {out['id']!r})" if out.get("id") is not None else ""
            click.echo(f"line {out['line']}{ident}: {out['error']}", err=True)
            continue
        if as_json:
            click.echo(json.dumps(out, ensure_ascii=False))
        else:
            evidence = shorten(out["evidence"], 70) if out["evidence"] else "-"
            click.echo(f"{shorten(str(out['id']), 16):<16} {out['stance']:<11} "
                       f"{out['score']:.2f}  {evidence}")
    if bad:
        click.echo(f"{bad} line(s) rejected", err=True)
        sys.exit(1)
