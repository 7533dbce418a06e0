"""Commands for live news: fetch, watch, sources, revisions (``newsweave.fetch``)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from newsweave.cli import Context, cli, echo_json, shorten


def fetch_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The fetcher's flags, shared by ``fetch`` and ``watch`` (defaults: FETCH_SETTINGS)."""
    for decorator in reversed((
        click.option("--allow-private", is_flag=True, default=None,
                     help="Allow loopback and private addresses (intranet feeds)."),
        click.option("--allow-host", "allow_hosts", multiple=True, metavar="HOST",
                     help="Allow this host even on a private address (repeatable)."),
        click.option("--contact", metavar="EMAIL|URL",
                     help="Contact sent in the User-Agent [env: NEWSWEAVE_FETCH_CONTACT]."),
        click.option("--no-robots", is_flag=True, default=None, help="Ignore robots.txt."),
        click.option("--delay", type=click.FloatRange(min=0), metavar="SECONDS",
                     help="Seconds between two requests to one host [default: 1]."),
        click.option("--max-bytes", type=click.IntRange(min=1), metavar="N",
                     help="Largest response body (after decompression)."),
        click.option("--timeout", type=click.FloatRange(min=0.1), metavar="SECONDS",
                     help="Total time-out of one fetch [default: 60]."),
    )):
        command = decorator(command)
    return command


def make_fetcher(allow_private: bool | None, allow_hosts: tuple[str, ...], contact: str | None,
                 no_robots: bool | None, delay: float | None, max_bytes: int | None,
                 timeout: float | None) -> Any:
    from newsweave.fetch import Fetcher, load_fetch_options

    try:
        options = load_fetch_options(
            fetch_allow_private=1 if allow_private else None, allow_hosts=allow_hosts,
            fetch_contact=contact, fetch_robots=0 if no_robots else None,
            fetch_host_delay=delay, fetch_max_bytes=max_bytes, fetch_total_timeout=timeout,
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    return Fetcher(options)


@cli.command()
@click.argument("urls", nargs=-1, required=True)
@click.option("--since", metavar="DATE", help="Sitemaps: only URLs with lastmod on or after "
              "this date (YYYY-MM-DD).")
@click.option("--max-pages", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Sitemaps: at most this many pages per run.")
@click.option("--outlet", metavar="NAME", help="Outlet of every article fetched.")
@fetch_options
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_obj
def fetch(obj: Context, urls: tuple[str, ...], since: str | None, max_pages: int,
          outlet: str | None, as_json: bool, **flags: Any) -> None:
    """Fetch article pages, RSS/Atom feeds, sitemaps or OPML lists by URL and ingest them.

    Each URL is checked by the SSRF guard (public http(s) addresses only unless
    --allow-private). A page fetched again with changed text becomes a revision.
    """
    from datetime import date

    from newsweave.fetch.collect import fetch_into

    if since is not None:
        try:
            since = date.fromisoformat(since[:10]).isoformat()
        except ValueError:
            raise click.BadParameter(f"{since!r}: expected a date YYYY-MM-DD",
                                     param_hint="--since") from None
    fetcher = make_fetcher(**flags)
    try:
        with obj.engine() as engine:
            report = fetch_into(engine, urls, fetcher, since=since, max_pages=max_pages,
                                outlet=outlet)
    finally:
        fetcher.close()
    if as_json:
        echo_json(report.to_dict())
    else:
        for rejection in report.rejected:
            click.echo(f"rejected: {rejection}", err=True)
        for rev in report.revised:
            click.echo(f"revised: article {rev['article']} is now revision {rev['rev']} "
                       f"({rev['changes']} changes{', stealth edit' if rev['stealth'] else ''})")
        click.echo(f"{len(report.new)} new, {len(set(report.known))} already known, "
                   f"{len(report.revised)} revised, {len(report.rejected)} rejected "
                   f"({report.fetched} fetched)")
    if report.rejected:
        sys.exit(1)


@cli.command()
@click.argument("article_id", type=int, required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def revisions(obj: Context, article_id: int | None, as_json: bool) -> None:
    """List articles' revisions (all, or one article's) with what changed.

    A stealth edit is a change with no correction or update note in the new text.
    With an ID: for each changed passage, the other articles still carrying the old
    wording (copies made before the edit), and the story's claims whose status changed.
    """
    from newsweave.fetch.revisions import (
        claim_changes,
        describe,
        list_revisions,
        still_saying,
    )

    with obj.engine() as engine:
        found = list_revisions(engine, article_id)
        # With an ID only: both scan the store or re-run the story's cross-check.
        later = [r for r in found if r.rev > 1 and article_id is not None]
        echoes = {(r.article, r.rev): still_saying(engine, r) for r in later}
        claims = {(r.article, r.rev): claim_changes(engine, r) for r in later}
    if as_json:
        echo_json([{**r.to_dict(text=article_id is not None),
                    "still_elsewhere": echoes.get((r.article, r.rev), []),
                    "claims": claims.get((r.article, r.rev), [])} for r in found])
        return
    if not found:
        click.echo("no revisions (an article fetched again with changed text gets one)")
    for r in found:
        flag = "  STEALTH EDIT (no correction note)" if r.stealth else ""
        note = f"  note: {shorten(r.note, 60)}" if r.note else ""
        click.echo(f"article {r.article} rev {r.rev}  {r.fetched_at}  "
                   f"{shorten(r.title, 50)}{flag}{note}")
        for change in r.diff[:10]:
            click.echo(f"    {shorten(describe(change), 100)}")
        for echo in echoes.get((r.article, r.rev), []):
            ids = ", ".join(str(i) for i in echo["articles"][:10])
            click.echo(f"    {len(echo['articles'])} other article(s) still say "
                       f"\"{shorten(echo['old'], 40)}\": {ids}")
        for claim in claims.get((r.article, r.rev), []):
            click.echo(f"    claim {claim['before']} -> {claim['after']}: "
                       f"{shorten(claim['claim'], 70)}")


@cli.command()
@click.argument("sources_file", metavar="SOURCES")
@click.option("--every", default="15m", show_default=True, metavar="DURATION",
              help="Poll interval (30s, 15m, 2h); failing sources back off from it.")
@click.option("--once", is_flag=True, help="Poll every source once (skipping those backing "
              "off) and exit.")
@fetch_options
@click.option("--json", "as_json", is_flag=True, help="With --once: print the polls as JSON.")
@click.pass_obj
def watch(obj: Context, sources_file: str, every: str, once: bool, as_json: bool,
          **flags: Any) -> None:
    """Poll feeds (a file of feed URLs, one a line, or OPML) and ingest what is new.

    In a plain list, `allow-private` after a URL opens that intranet source alone.

    Conditional GET (ETag, Last-Modified); a site's home page is read for its
    feeds; per-source state lives in the store, so a restart resumes. One log
    line per poll on stderr. SIGINT/SIGTERM finish the source in hand and stop.
    """
    import signal

    from newsweave.errors import NewsweaveError
    from newsweave.fetch.watch import Watcher, parse_duration, read_sources_file

    try:
        interval = parse_duration(every)
        listed = read_sources_file(sources_file)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    except NewsweaveError as exc:
        raise click.ClickException(str(exc)) from None
    fetcher = make_fetcher(**flags)
    for host in listed.allow_hosts:
        fetcher.guard.allow_host(host)
    polls: list[dict[str, Any]] = []

    def log(line: str) -> None:
        click.echo(line, err=True)

    with obj.engine() as engine:
        watcher = Watcher(engine, fetcher, every=interval, log=log)
        count = watcher.add(listed.urls)
        if not as_json:
            click.echo(f"watching {count} sources every {every} (store: {engine.store.path})",
                       err=True)
        previous = {sig: signal.signal(sig, lambda *_: watcher.stop())
                    for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            if once:
                polls = [p.to_dict() for p in watcher.poll_round(all_sources=True)]
            else:
                watcher.run()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            fetcher.close()
    if as_json:
        echo_json(polls)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def sources(obj: Context, as_json: bool) -> None:
    """List the watched sources with their health (last poll, failures, next poll)."""
    from newsweave.fetch.watch import list_sources

    with obj.engine() as engine:
        found = list_sources(engine)
    if as_json:
        echo_json([s.to_dict() for s in found])
        return
    if not found:
        click.echo("no sources (add some with: newsweave watch SOURCES --once)")
    for s in found:
        problem = f"  {s.failures} failures: {shorten(s.last_error, 60)}" if s.failures else ""
        click.echo(f"{s.id:>4}  {s.health:<7} {s.kind:<7} {(s.last_status or '-'):<10} "
                   f"last {s.last_poll or '-':<25} new {s.last_new or '-':<25} "
                   f"{s.items:>5} items  {shorten(s.url, 60)}{problem}")
