"""Commands to ingest articles and read them back: ingest, analyze, articles, article, demo."""

from __future__ import annotations

import json
import shlex
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

import click

from newsweave.cli import Context, cli, echo_json, shorten
from newsweave.engine import Engine
from newsweave.errors import NewsweaveError
from newsweave.model import Article
from newsweave.pipeline import select_stages


def _parse_stages(_ctx: click.Context, _param: click.Parameter,
                  value: str | None) -> list[str] | None:
    if value is None:
        return None
    names = [n.strip() for n in value.split(",") if n.strip()]
    if not names:
        raise click.BadParameter("name at least one stage, e.g. clean,reuse,stories")
    return names


def stages_option(default: str = "all") -> Any:
    """The ``--stages`` option of ingest, analyze and batch."""
    return click.option(
        "--stages", callback=_parse_stages, metavar="NAMES",
        help="Only these stages, comma-separated (clean, reuse, stories, extract); the "
             f"others stay pending for a later 'newsweave analyze'. [default: {default}]")


STAGES_OPTION = stages_option()


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--outlet", metavar="NAME", help="Outlet of every input (overrides what is found).")
@click.option("--max-bytes", type=click.IntRange(min=1), help="Reject inputs larger than this.")
@STAGES_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
@click.pass_obj
def ingest(obj: Context, paths: tuple[str, ...], outlet: str | None, max_bytes: int | None,
           stages: list[str] | None, as_json: bool, quiet: bool) -> None:
    """Ingest files, folders (recursively), globs or - (stdin), then analyse them.

    Formats: plain text, HTML, JSON, JSONL and RSS/Atom feeds (gzip allowed).
    Content already in the store is reported as known, not added again.
    Progress (reading, then every stage, with counts and an ETA) goes to stderr.
    Any number of ingests may run on one store at once.

    \b
    Examples:
      newsweave ingest articles/
      newsweave --db news.db ingest 'feeds/*.xml' --outlet "Wire" --json
      newsweave ingest archive/ --stages clean,reuse,stories   # extract later: analyze
    """
    # With --json, progress only on a terminal: a script reading the JSON gets no noise.
    progress = Progress(sys.stderr, enabled=not quiet and not (as_json and not _tty()))
    with obj.engine(max_bytes=max_bytes) as engine:
        _check_stages(engine, stages)
        report = engine.ingest(paths, outlet=outlet, progress=progress, stages=stages)
        failed = len(engine.store.stage_errors())
    progress.close()
    if as_json:
        echo_json(report.to_dict())
    else:
        for rejection in report.rejected:
            click.echo(f"rejected: {rejection}", err=True)
        click.echo(
            f"{len(report.new)} new, {len(report.known)} already known, "
            f"{len(report.rejected)} rejected (store: {engine.store.path})"
        )
    if failed and not quiet:
        click.echo(f"{failed} stage error(s) stored: they are retried by the next run "
                   f"(see newsweave check)", err=True)
    if report.rejected:
        sys.exit(1)


@cli.command()
@STAGES_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
@click.pass_obj
def analyze(obj: Context, stages: list[str] | None, as_json: bool, quiet: bool) -> None:
    """Finish interrupted work: run every stage on the articles it has not analysed.

    Safe beside running ingests: each article's work is claimed by one process.
    Every stage error stored by earlier runs is retried. With --stages, only those
    stages run (a stage still waits for the stages before it to finish an article).

    --stages brief (never part of the default) prepares the briefs of the stories
    changed since their last preparation, after any other stage named: their claim
    vectors, parses and scored claim pairs are kept, so a story's first brief is as
    quick as its second (an archive's overnight job; the briefs are the same).

    \b
    Examples:
      newsweave analyze
      newsweave analyze --stages extract
      newsweave analyze --stages brief
    """
    from newsweave.brief.prepare import BRIEF_STAGE

    prepare = stages is not None and BRIEF_STAGE in stages
    others = [s for s in stages or [] if s != BRIEF_STAGE] if stages is not None else None
    progress = Progress(sys.stderr, enabled=not quiet and not (as_json and not _tty()))
    with obj.engine() as engine:
        try:
            select_stages(engine.stages, others)
        except ValueError as exc:
            raise click.BadParameter(f"{exc}, and {BRIEF_STAGE} (briefs prepared ahead)",
                                     param_hint="--stages") from None
        done: dict[str, int] = {}
        if others is None or others:
            done = engine.analyze(progress=progress, retry=True, stages=others)
        if prepare:
            report = engine.prepare_briefs(progress=progress)
            done[BRIEF_STAGE] = len(report.prepared)
            if report.failed and not quiet:
                click.echo(f"brief: {len(report.failed)} stories failed to prepare (logged; "
                           f"the next run retries them)", err=True)
    progress.close()
    if as_json:
        echo_json(done)
        return
    click.echo(", ".join(f"{name}: {count} stories prepared" if name == BRIEF_STAGE
                         else f"{name}: {count} analysed" for name, count in done.items()))


@cli.command()
@click.option("--outlet", metavar="NAME", help="Only this outlet's articles.")
@click.option("--language", metavar="CODE", help="Only articles in this language (e.g. en).")
@click.option("--since", metavar="DATE", help="Only articles published on or after this date.")
@click.option("--until", metavar="DATE", help="Only articles published on or before this date.")
@click.option("--after", "after", type=int, metavar="ID",
              help="Cursor: only articles with an id above this (the last id of a page).")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many articles.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: a list of articles.")
@click.pass_obj
def articles(obj: Context, outlet: str | None, language: str | None, since: str | None,
             until: str | None, after: int | None, limit: int | None, as_json: bool) -> None:
    """List the stored articles, oldest id first (streamed: a large store prints at once).

    \b
    Examples:
      newsweave articles --limit 50
      newsweave articles --limit 50 --after 50       # the next page
      newsweave articles --since 2026-03-01 --outlet "Wire" --json
    """
    with obj.engine() as engine:
        found = engine.iter_articles(outlet=outlet, language=language, since=since,
                                     until=until, after=after, limit=limit)
        if as_json:
            _stream_json(_with_stages(engine, found))
            return
        empty = True
        for a in found:
            empty = False
            click.echo(
                f"{a.id:>5}  {(a.published or '-')[:10]:<10}  {(a.outlet or '-')[:24]:<24}  "
                f"{a.language or '-':<3} {shorten(a.title or a.text, 70)}"
            )
        if empty:
            click.echo("no articles" + (" match" if any((outlet, language, since, until, after))
                                        else " (add some with: newsweave ingest PATH...)"))


def _check_stages(engine: Engine, stages: list[str] | None) -> None:
    """An unknown stage name is a usage error (exit 2), before anything is read."""
    try:
        select_stages(engine.stages, stages)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--stages") from None


def _with_stages(engine: Engine, found: Iterable[Article], page: int = 500
                 ) -> Iterator[dict[str, Any]]:
    """Articles as JSON, each with ``stages``: the stages that have finished it (read a
    page of articles at a time, so a long listing still streams)."""
    chunk: list[Article] = []
    for article in found:
        chunk.append(article)
        if len(chunk) >= page:
            yield from _stage_dicts(engine, chunk)
            chunk = []
    yield from _stage_dicts(engine, chunk)


def _stage_dicts(engine: Engine, chunk: list[Article]) -> Iterator[dict[str, Any]]:
    done = engine.article_stages([int(a.id or 0) for a in chunk]) if chunk else {}
    for article in chunk:
        yield {**article.to_dict(), "stages": done.get(int(article.id or 0), [])}


def _stream_json(items: Any) -> None:
    """A JSON list printed item by item (a large listing never sits in memory whole)."""
    first = True
    for item in items:
        body = json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        click.echo(("[\n  " if first else ",\n  ") + body, nl=False)
        first = False
    click.echo("[]" if first else "\n]")


@cli.command()
@click.argument("article_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the article as JSON.")
@click.option("--raw", is_flag=True, help="Include the raw input.")
@click.pass_obj
def article(obj: Context, article_id: int, as_json: bool, raw: bool) -> None:
    """Show one article: metadata, clean text and what cleaning removed."""
    with obj.engine() as engine:
        found = engine.article(article_id, raw=raw)
        stages = engine.article_stages([article_id])[article_id]
        pending = [s.name for s in engine.stages if s.name not in stages]
    if as_json:
        echo_json({**found.to_dict(raw=raw), "stages": stages})
        return
    click.echo(_render_article(found, raw=raw, stages=stages, pending=pending))


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


class Progress:
    """Progress of a whole ingest on stderr: reading, then each stage, with counts and an
    ETA. On a terminal one line is rewritten in place, and redrawn every second so the
    clock runs even while a long batch gives no count; in a pipe or a log each phase
    prints one line when it ends (and one every 30 s while it runs)."""

    TICK = 1.0  # seconds between redraws of the live line

    def __init__(self, out: TextIO, *, enabled: bool = True) -> None:
        self.out = out
        self.enabled = enabled
        self.live = enabled and out.isatty()
        self.phase: str | None = None
        self.started = time.monotonic()
        self.shown = 0.0
        self.last = ""
        self.state: tuple[int, int] = (0, 0)
        self._lock = threading.Lock()  # the ticker and the callback write the same line
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        with self._lock:
            now = time.monotonic()
            if phase != self.phase:
                self._end()
                # The first phase began with the command; a stage's first call is at its start.
                began = self.started if self.phase is None else now
                self.phase, self.started, self.shown = phase, began, now
            self.state = (done, total)
            self._draw(now)
            if self.live:
                self._tick()
            elif now - self.shown >= 30:  # a long phase in a log: a line every 30 s
                self.shown = now
                self.out.write(self.last + "\n")
                self.out.flush()

    def _draw(self, now: float) -> None:
        """Render the current phase's line (and, live, write it over the last one)."""
        done, total = self.state
        elapsed = now - self.started
        unit = {"read": "inputs", "brief": "stories"}.get(self.phase or "", "articles")
        line = f"{self.phase}: {done}/{total} {unit}"
        if 0 < done < total:
            line += f" ({done / total:.0%}, ETA {_clock(elapsed / done * (total - done))})"
        elif done >= total:
            line += f" in {_clock(elapsed)}"
        elif elapsed >= 1:
            line += f" ({_clock(elapsed)})"
        self.last = line
        if self.live:
            self.out.write("\r\033[K" + line)
            self.out.flush()

    def _tick(self) -> None:
        """Start the thread that redraws the live line every :attr:`TICK` seconds."""
        if self._ticker is not None:
            return

        def run() -> None:
            while not self._stop.wait(self.TICK):
                with self._lock:
                    done, total = self.state
                    if self.last and done < total:
                        self._draw(time.monotonic())

        self._ticker = threading.Thread(target=run, name="newsweave-progress", daemon=True)
        self._ticker.start()

    def _end(self) -> None:
        """The phase is over: end its live line, or print its last state (once)."""
        if self.last:
            self.out.write("\n" if self.live else self.last + "\n")
            self.out.flush()
        self.last = ""

    def close(self) -> None:
        if self.enabled:
            self._stop.set()
            if self._ticker is not None:
                self._ticker.join()
            with self._lock:
                self._end()


def _tty() -> bool:
    return sys.stderr.isatty()


def _clock(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _render_article(a: Article, *, raw: bool, stages: list[str], pending: list[str]) -> str:
    lines = [f"# {a.title or '(no title)'}", ""]
    for label, value, how in (
        ("id", a.id, None), ("external id", a.external_id, None), ("source", a.source, None),
        ("outlet", a.outlet, a.outlet_how), ("published", a.published, a.published_how),
        ("author", a.author, None), ("url", a.url, None), ("language", a.language, None),
    ):
        if value not in (None, ""):
            lines.append(f"{label:>12}: {value}" + (f"  (from {how})" if how else ""))
    lines.append(f"{'stages':>12}: {', '.join(stages)}"
                 + (f"  (pending: {', '.join(pending)})" if pending else ""))
    lines += ["", a.text, ""]
    if a.removed:
        lines.append(f"--- removed as boilerplate ({len(a.removed)}) ---")
        lines += [f"[{r.reason}] {shorten(r.text, 100)}" for r in a.removed]
    if raw:
        lines += ["", "--- raw input ---", a.raw]
    return "\n".join(lines)
