"""Commands to ingest articles and read them back: ingest, articles, article, demo."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from newsweave.cli import Context, cli, echo_json, shorten
from newsweave.errors import NewsweaveError
from newsweave.model import Article


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--outlet", metavar="NAME", help="Outlet of every input (overrides what is found).")
@click.option("--max-bytes", type=click.IntRange(min=1), help="Reject inputs larger than this.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_obj
def ingest(obj: Context, paths: tuple[str, ...], outlet: str | None, max_bytes: int | None,
           as_json: bool) -> None:
    """Ingest files, folders (recursively), globs or - (stdin).

    Formats: plain text, HTML, JSON, JSONL and RSS/Atom feeds (gzip allowed).
    Content already in the store is reported as known, not added again.
    """
    with obj.engine(max_bytes=max_bytes) as engine, _progress(not as_json) as progress:
        report = engine.ingest(paths, outlet=outlet, progress=progress)
    if as_json:
        echo_json(report.to_dict())
    else:
        for rejection in report.rejected:
            click.echo(f"rejected: {rejection}", err=True)
        click.echo(
            f"{len(report.new)} new, {len(report.known)} already known, "
            f"{len(report.rejected)} rejected (store: {engine.store.path})"
        )
    if report.rejected:
        sys.exit(1)


@cli.command()
@click.option("--outlet", metavar="NAME", help="Only this outlet's articles.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: a list of articles.")
@click.pass_obj
def articles(obj: Context, outlet: str | None, as_json: bool) -> None:
    """List the stored articles."""
    with obj.engine() as engine:
        found = engine.articles(outlet=outlet)
    if as_json:
        echo_json([a.to_dict() for a in found])
        return
    if not found:
        click.echo("no articles (add some with: newsweave ingest PATH...)")
    for a in found:
        click.echo(
            f"{a.id:>5}  {(a.published or '-')[:10]:<10}  {(a.outlet or '-')[:24]:<24}  "
            f"{a.language or '-':<3} {shorten(a.title or a.text, 70)}"
        )


@cli.command()
@click.argument("article_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the article as JSON.")
@click.option("--raw", is_flag=True, help="Include the raw input.")
@click.pass_obj
def article(obj: Context, article_id: int, as_json: bool, raw: bool) -> None:
    """Show one article: metadata, clean text and what cleaning removed."""
    with obj.engine() as engine:
        found = engine.article(article_id, raw=raw)
    if as_json:
        echo_json(found.to_dict(raw=raw))
        return
    click.echo(_render_article(found, raw=raw))


@cli.command()
@click.option("--out", "out_dir", default="newsweave-demo", show_default=True,
              type=click.Path(file_okay=False), help="Folder for the demo store and outputs.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--serve", "serve_after", is_flag=True,
              help="Then serve the demo store in the browser (newsweave serve).")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
              help="Port for --serve.")
def demo(out_dir: str, as_json: bool, serve_after: bool, port: int) -> None:
    """Run every stage on the bundled demo corpus, in a fresh store under --out."""
    from newsweave.demo import run_demo

    try:
        summary = run_demo(out_dir)
    except NewsweaveError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        echo_json(summary)
        if serve_after:
            _serve_demo(str(summary["db"]), port)
        return
    ingest_report: dict[str, list[Any]] = summary["ingest"]  # type: ignore[assignment]
    click.echo(f"Demo corpus: {len(ingest_report['new'])} articles ingested, "
               f"{len(ingest_report['rejected'])} rejected")
    for a in summary["articles"]:  # type: ignore[attr-defined]
        click.echo(f"  {a['id']:>3}  {(a['outlet'] or '-')[:28]:<28} {shorten(a['title'], 60)}"
                   f"  ({a['removed']} boilerplate pieces removed)")
    click.echo(f"Store: {summary['db']}")
    for name, path in summary["outputs"].items():  # type: ignore[attr-defined]
        click.echo(f"Output ({name}): {path}")
    outputs: dict[str, str] = summary["outputs"]  # type: ignore[assignment]
    briefs = [p for n, p in outputs.items() if n.startswith("brief") and p.endswith(".html")]
    if briefs:
        click.echo(f"Briefs: {len(briefs)} stories, open {briefs[0]} in a browser (offline)")
    click.echo(f"Explore: newsweave --db {summary['db']} articles")
    if serve_after:
        _serve_demo(str(summary["db"]), port)
        return
    click.echo(f"Open in the browser: newsweave --db {shlex.quote(str(summary['db']))} serve "
               f"(then http://127.0.0.1:8080/)")


def _serve_demo(db: str, port: int) -> None:
    from newsweave.cli.serve import run_server

    run_server(db, "127.0.0.1", port, None)


@contextmanager
def _progress(enabled: bool) -> Iterator[Any]:
    """A progress bar on stderr when it is a terminal; nothing in logs and pipes."""
    if not (enabled and sys.stderr.isatty()):
        yield None
        return
    bar: Any = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label="ingesting", file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        yield update
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


def _render_article(a: Article, *, raw: bool) -> str:
    lines = [f"# {a.title or '(no title)'}", ""]
    for label, value, how in (
        ("id", a.id, None), ("external id", a.external_id, None), ("source", a.source, None),
        ("outlet", a.outlet, a.outlet_how), ("published", a.published, a.published_how),
        ("author", a.author, None), ("url", a.url, None), ("language", a.language, None),
    ):
        if value not in (None, ""):
            lines.append(f"{label:>12}: {value}" + (f"  (from {how})" if how else ""))
    lines += ["", a.text, ""]
    if a.removed:
        lines.append(f"--- removed as boilerplate ({len(a.removed)}) ---")
        lines += [f"[{r.reason}] {shorten(r.text, 100)}" for r in a.removed]
    if raw:
        lines += ["", "--- raw input ---", a.raw]
    return "\n".join(lines)
