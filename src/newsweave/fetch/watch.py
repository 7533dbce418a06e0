"""Polling feeds all day: the ``watch`` loop and its per-source state.

Each source (a feed, a site's home page, a sitemap or an article page) keeps
its state in the store (:mod:`newsweave.store.sources`), so a restarted
watcher resumes: HTTP validators for conditional GET (a feed with nothing new
costs a 304), the entries already seen, and consecutive failures, from which
the next poll is pushed back (doubling, at most a day). A home page is read
once for the feeds it advertises, which become sources of their own.

:meth:`Watcher.stop` (the CLI calls it on SIGINT/SIGTERM) lets the source in
hand finish, runs the stages on what came in, and stops.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from newsweave.errors import InputError
from newsweave.fetch.client import Fetcher, FetchError, Response
from newsweave.fetch.collect import Collector
from newsweave.fetch.parse import (
    iter_lines_file,
    parse_feed,
    parse_opml,
    parse_sitemap,
    read_page_links,
    sniff_kind,
    unpack,
)
from newsweave.ingest import decode_bytes
from newsweave.store.sources import SourceState, fetch_tables, now_iso

if TYPE_CHECKING:
    from newsweave.engine import Engine

MAX_BACKOFF = 86_400.0  # a failing source is still tried once a day
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.I)


@dataclass(slots=True)
class PollResult:
    """One poll of one source."""

    url: str
    status: str  # "200", "304", "HTTP 404", "error", "discovered"
    new: int
    revised: int
    seconds: float
    error: str | None = None
    rejected: list[str] = field(default_factory=list)  # entries or pages that failed

    def line(self) -> str:
        """The poll's log line."""
        tail = f" error={self.error}" if self.error else ""
        if self.rejected:
            tail += f" rejected={len(self.rejected)} first={self.rejected[0][:200]}"
        return (f"{now_iso()} poll {self.url} status={self.status} new={self.new} "
                f"revised={self.revised} {self.seconds:.2f}s{tail}")

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "status": self.status, "new": self.new,
                "revised": self.revised, "seconds": round(self.seconds, 3), "error": self.error,
                "rejected": self.rejected}


def parse_duration(text: str) -> float:
    """Seconds in ``15m``, ``30s``, ``2h``, ``1d`` or a bare number of seconds.

    >>> parse_duration("15m"), parse_duration("90")
    (900.0, 90.0)
    """
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{text!r}: expected a duration such as 30s, 15m, 2h or 1d")
    unit = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2).lower()]
    return float(match.group(1)) * unit


@dataclass(slots=True)
class SourceList:
    """What a sources file names: feed URLs, and the hosts marked ``allow-private``."""

    urls: list[str]
    allow_hosts: set[str] = field(default_factory=set)


def read_sources_file(path: str) -> SourceList:
    """Feed URLs of an OPML file or a plain list: one URL a line, ``#`` comments, and
    ``allow-private`` after a URL to open that one intranet source (a per-source
    allow-list; everything else stays behind the SSRF guard)."""
    try:
        data = Path(path).expanduser().read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the sources file ({exc.strerror or exc})") from None
    if sniff_kind(data) == "opml":
        return SourceList(parse_opml(data, path))
    text, _encoding = decode_bytes(data, 50_000_000)
    found = SourceList([])
    for number, line in enumerate(iter_lines_file(text), start=1):
        url, *flags = line.split()
        for flag in flags:
            if flag != "allow-private":
                raise InputError(f"{path}: line {number}: unknown flag {flag!r} "
                                 "(the only one is allow-private)")
            found.allow_hosts.add((urlsplit(url).hostname or "").lower())
        found.urls.append(url)
    if not found.urls:
        raise InputError(f"{path}: no URLs (expected OPML or one feed URL a line)")
    return found


def backoff(every: float, failures: int) -> float:
    """Seconds to the next poll after ``failures`` consecutive failures.

    >>> [backoff(900, n) for n in (0, 1, 2, 10)]
    [900, 1800, 3600, 86400.0]
    """
    return every if failures <= 0 else min(every * 2 ** min(failures, 20), MAX_BACKOFF)


class Watcher:
    """Polls the store's sources into an engine."""

    def __init__(self, engine: Engine, fetcher: Fetcher, *, every: float = 900.0,
                 log: Callable[[str], None] | None = None) -> None:
        self.engine = engine
        self.fetcher = fetcher
        self.every = every
        self.log = log or (lambda line: None)
        self.tables = fetch_tables(engine.store)
        self.stopping = False

    def add(self, urls: Iterable[str]) -> int:
        """Register sources (already known ones are kept with their state); returns how
        many the store now holds."""
        for url in urls:
            self.tables.add_source(url.strip())
        return len(self.tables.sources())

    def stop(self) -> None:
        """Finish the source in hand, run the stages, and return from :meth:`run`."""
        self.stopping = True

    def run(self, *, once: bool = False, sleep: Callable[[float], None] = time.sleep) -> None:
        """Poll until :meth:`stop` (``once``: one round over every source not backing off)."""
        while not self.stopping:
            self.poll_round(all_sources=once)
            if once:
                return
            wait = self._seconds_to_next()
            while wait > 0 and not self.stopping:
                step = min(wait, 1.0)
                sleep(step)
                wait -= step

    def poll_round(self, *, all_sources: bool = False) -> list[PollResult]:
        """Poll the sources that are due (or all not backing off), then run the stages."""
        now = now_iso()
        results = []
        collector = Collector(self.engine, self.fetcher)
        done: set[int] = set()
        while not self.stopping:
            # A home page's feeds are added as it is polled: a second pass polls them.
            todo = [s for s in self.tables.sources() if s.id not in done]
            if not todo:
                break
            for source in todo:
                done.add(source.id)
                if self.stopping:
                    break
                backing_off = source.failures and source.next_poll and source.next_poll > now
                due = source.next_poll is None or source.next_poll <= now
                if backing_off or not (due or all_sources):
                    continue
                result = self.poll(source, collector)
                self.log(result.line())
                results.append(result)
        self.engine.analyze()
        return results

    def poll(self, source: SourceState, collector: Collector) -> PollResult:
        """Poll one source: conditional GET, new entries in, state stored."""
        start = time.monotonic()
        headers = {}
        if source.etag:
            headers["If-None-Match"] = source.etag
        if source.last_modified:
            headers["If-Modified-Since"] = source.last_modified
        before = (len(collector.report.new), len(collector.report.revised),
                  len(collector.report.rejected))
        try:
            response = self.fetcher.get(source.url, headers=headers)
            status, kind, title = self._take(source, response, collector)
        except Exception as exc:  # one source must never stop the watcher
            if not isinstance(exc, InputError):
                exc = InputError(f"could not process ({type(exc).__name__}: {exc})")
            failures = source.failures + 1
            status = f"HTTP {exc.status}" if isinstance(exc, FetchError) and exc.status else "error"
            self.tables.record_poll(source.id, status=status, ok=False, new_items=0,
                                    next_poll=_after(backoff(self.every, failures)),
                                    error=str(exc)[:500])
            return PollResult(source.url, status, 0, 0, time.monotonic() - start, str(exc))
        new = len(collector.report.new) - before[0]
        revised = len(collector.report.revised) - before[1]
        rejected = [str(r) for r in collector.report.rejected[before[2]:]]
        self.tables.record_poll(
            source.id, status=status, ok=True, new_items=new + revised,
            next_poll=_after(self.every), etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"), title=title, kind=kind,
            forget_validators=bool(rejected))
        return PollResult(source.url, status, new, revised, time.monotonic() - start,
                          rejected=rejected)

    def _take(self, source: SourceState, response: Response,
              collector: Collector) -> tuple[str, str | None, str | None]:
        """What the response brings in: (status, source kind, title)."""
        if response.status == 304:
            return "304", None, None
        response.body = unpack(response.body, self.fetcher.options.fetch_max_bytes, source.url)
        kind = sniff_kind(response.body, response.content_type)
        if kind == "feed":
            feed = parse_feed(response.body, response.url)
            keys = {_entry_key(e.key, e.updated, e.content): e for e in feed.entries}
            taken = []
            for key in sorted(keys.keys() - self.tables.seen_items(source.id, keys)):
                failed = len(collector.report.rejected)
                collector.take_feed_entries(response.url, [keys[key]], response.fetched_at,
                                            feed.title)
                if len(collector.report.rejected) == failed:
                    taken.append(key)  # an entry that failed is tried again next poll
            self.tables.mark_items(source.id, taken)
            return "200", "feed", feed.title
        if kind == "sitemap":
            entries = {_entry_key(e.url, e.lastmod): e for e in
                       parse_sitemap(response.body, response.url)}
            fresh = entries.keys() - self.tables.seen_items(source.id, entries)
            for key in sorted(fresh):
                collector.visit(entries[key].url)
            self.tables.mark_items(source.id, fresh)
            return "200", "sitemap", None
        if kind == "html" and source.kind in ("feed", "site"):
            text, _encoding = decode_bytes(response.body, self.fetcher.options.fetch_max_bytes)
            feeds = read_page_links(text, response.url).feeds
            if feeds:  # a site's home page: its advertised feeds become sources
                for feed_url in feeds:
                    self.tables.add_source(feed_url, discovered_from=source.url)
                return "discovered", "site", None
            if source.kind == "feed" and source.polls == 0:
                collector.take_page(response)
                return "200", "page", None
            raise InputError(f"{source.url}: a web page that advertises no feed")
        collector.take(response)
        return "200", "page", None

    def _seconds_to_next(self) -> float:
        pending = [s.next_poll for s in self.tables.sources() if s.next_poll]
        if not pending:
            return self.every
        soonest = datetime.fromisoformat(min(pending))
        return max(1.0, (soonest - datetime.now(UTC)).total_seconds())


def list_sources(engine: Engine) -> list[SourceState]:
    """Every source ``watch`` polls, with its state and health."""
    return fetch_tables(engine.store).sources()


def _entry_key(key: str, version: str | None, content: str = "") -> str:
    """What makes an entry new: its id, its update date, and for a full-content entry
    its content (an entry edited in place, same id and date, is taken again and becomes
    a revision of its article)."""
    if content:
        digest = hashlib.sha1(content.encode("utf-8", "replace")).hexdigest()[:16]
        version = f"{version or ''}#{digest}"
    return f"{key}|{version}" if version else key


def _after(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat(timespec="seconds")
