"""Fetched resources to articles: pages, feeds, sitemaps and OPML lists by URL.

An article's identity here is its canonical URL (``rel=canonical``/``og:url``
on the same site, tracking parameters removed; an AMP page stands for its
canonical article), and every URL it was reached under is kept as an alias:
one article however many URLs. The same URL fetched again with a changed body
becomes a new *revision* of the article (word diff kept, stealth edits
flagged, stages re-run), not a new article.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from newsweave.errors import InputError
from newsweave.fetch.client import Fetcher, Response
from newsweave.fetch.parse import (
    FeedEntry,
    canonical_url,
    parse_feed,
    parse_opml,
    parse_sitemap,
    read_page_links,
    sniff_kind,
    unpack,
)
from newsweave.fetch.revisions import correction_note, word_diff
from newsweave.ingest import Record, decode_bytes
from newsweave.model import Rejection
from newsweave.store.sources import Revision, fetch_tables

if TYPE_CHECKING:
    from newsweave.engine import Engine
    from newsweave.model import Article

_SITEMAP_DEPTH = 3  # an index of indexes of sitemaps, no deeper


@dataclass(slots=True)
class FetchReport:
    """What one fetch run did. ``revised``: {article, rev, stealth, changes}."""

    new: list[int] = field(default_factory=list)
    known: list[int] = field(default_factory=list)
    revised: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    fetched: int = 0
    skipped: int = 0  # sitemap entries older than --since, or over --max-pages

    def to_dict(self) -> dict[str, Any]:
        return {
            "new": self.new, "known": sorted(set(self.known)), "revised": self.revised,
            "rejected": [{"source": r.source, "reason": r.reason} for r in self.rejected],
            "fetched": self.fetched, "skipped": self.skipped,
        }


class Collector:
    """Fetches URLs into an engine; one per run (it remembers what it visited)."""

    def __init__(self, engine: Engine, fetcher: Fetcher, *, since: str | None = None,
                 max_pages: int = 1000, outlet: str | None = None) -> None:
        self.engine = engine
        self.fetcher = fetcher
        self.since = since
        self.max_pages = max_pages
        self.outlet = outlet
        self.report = FetchReport()
        self.tables = fetch_tables(engine.store)
        self._visited: set[str] = set()
        self._pages = 0

    # -- entry points ---------------------------------------------------------

    def visit(self, url: str, depth: int = 0) -> None:
        """Fetch ``url`` and ingest what it holds, whatever kind it is."""
        if url in self._visited:
            return
        self._visited.add(url)
        response = self._get(url)
        if response is not None:
            self.take(response, depth)

    def take(self, response: Response, depth: int = 0) -> str:
        """Ingest an already fetched response; returns the kind it was read as."""
        try:
            response.body = unpack(response.body, self.fetcher.options.fetch_max_bytes,
                                   response.url)
            kind = sniff_kind(response.body, response.content_type)
            if kind == "feed":
                feed = parse_feed(response.body, response.url)
                self.take_feed_entries(response.url, feed.entries, response.fetched_at,
                                       feed.title)
            elif kind == "sitemap":
                self._take_sitemap(response, depth)
            elif kind == "opml":
                for feed in parse_opml(response.body, response.url):
                    self.visit(feed, depth + 1)
            else:
                self.take_page(response)
        except InputError as exc:
            self.report.rejected.append(Rejection(response.url, _reason(response.url, exc)))
            return "refused"
        except Exception as exc:  # one bad resource must not lose the rest of the run
            self.report.rejected.append(Rejection(
                response.url, f"could not process ({type(exc).__name__}: {exc})"))
            return "refused"
        return kind

    def take_feed_entries(self, feed_url: str, entries: Iterable[FeedEntry],
                          fetched_at: str, feed_title: str | None = None) -> None:
        """Entries with full content become articles as they are; summary-only entries
        are fetched from their link."""
        for entry in entries:
            if entry.content:
                self._store(self._entry_record(feed_url, entry, fetched_at, feed_title),
                            fetched_at)
            elif entry.link:
                self.visit(entry.link)
            else:
                self.report.rejected.append(Rejection(
                    f"{feed_url}#{entry.key}", "feed entry has neither content nor a link"))

    def take_page(self, response: Response, fields: dict[str, str] | None = None) -> None:
        text, _encoding = decode_bytes(response.body, self.fetcher.options.fetch_max_bytes)
        links = read_page_links(text, response.url)
        aliases = [*response.redirects, response.url]
        if links.is_amp and links.canonical and links.canonical != response.url:
            # An AMP page stands for its article: fetch the canonical page instead.
            target = canonical_url(response.url, links.canonical)
            known = self.tables.article_for_urls([target])
            if known is not None or target in self._visited:
                # Its article is in hand already: the AMP URL is one more alias of it (the
                # AMP markup must not pass for a revision of the full page).
                if known is not None:
                    self.tables.link_urls(known, target, aliases)
                    self.report.known.append(known)
                return
            self._visited.add(target)
            full = self._get(target)
            if full is not None and sniff_kind(full.body, full.content_type) == "html":
                aliases += [*full.redirects]
                response = full
                text, _encoding = decode_bytes(full.body, self.fetcher.options.fetch_max_bytes)
                links = read_page_links(text, full.url)
        canonical = canonical_url(response.url, links.canonical)
        aliases.append(canonical_url(response.url))
        record = Record(
            canonical, text, "html", text, "html", {"url": canonical, **(fields or {})},
            {"fetched_url": aliases[0], "fetched_at": response.fetched_at,
             "canonical_url": canonical},
        )
        self._store(record, response.fetched_at, aliases)

    # -- internals ------------------------------------------------------------

    def _get(self, url: str) -> Response | None:
        try:
            response = self.fetcher.get(url)
        except InputError as exc:
            self.report.rejected.append(Rejection(url, _reason(url, exc)))
            return None
        self.report.fetched += 1
        return response

    def _take_sitemap(self, response: Response, depth: int) -> None:
        for entry in parse_sitemap(response.body, response.url):
            if self.since and entry.lastmod and entry.lastmod[:len(self.since)] < self.since:
                self.report.skipped += 1
                continue
            if entry.is_index:
                if depth < _SITEMAP_DEPTH:
                    self.visit(entry.url, depth + 1)
                continue
            if self._pages >= self.max_pages:
                self.report.skipped += 1
                continue
            self._pages += 1
            self.visit(entry.url, depth + 1)

    def _entry_record(self, feed_url: str, entry: FeedEntry, fetched_at: str,
                      feed_title: str | None) -> Record:
        url = canonical_url(entry.link) if entry.link else None
        fields = {"title": entry.title, "url": url, "author": entry.author,
                  "external_id": entry.key, "published": entry.published, "outlet": feed_title}
        raw = json.dumps({"id": entry.key, "title": entry.title, "content": entry.content},
                         ensure_ascii=False, sort_keys=True)
        body_format = "html" if "<" in entry.content[:5000] else "text"
        metadata = {"feed": feed_url, "fetched_at": fetched_at}
        if feed_title:
            metadata["feed_title"] = feed_title
        return Record(url or f"{feed_url}#{entry.key}", raw, body_format, entry.content, "feed",
                      {k: v for k, v in fields.items() if v}, metadata)

    def _store(self, record: Record, fetched_at: str, aliases: Iterable[str] = ()) -> None:
        from newsweave.engine import content_hash

        canonical = record.fields.get("url") or record.source
        aliases = [a for a in aliases if a]
        article_id = self.tables.article_for_urls([canonical, *aliases])
        if article_id is None:
            done = self.engine.ingest_records([record], outlet=self.outlet, analyze=False)
            self.report.new += done.new
            self.report.known += done.known
            self.report.rejected += done.rejected
            for found in done.new + done.known:
                self.tables.link_urls(found, canonical, aliases)
            return
        old = self.engine.article(article_id, raw=True)
        digest = content_hash(record.raw)
        if digest == old.content_hash or old.raw_format != record.raw_format:
            # Unchanged, or the same article in another form (a feed entry's content
            # and its page): not a revision.
            self.report.known.append(article_id)
            self.tables.link_urls(article_id, canonical, aliases)
            return
        other = self.engine.store.known_hashes([digest]).get(digest)
        if other is not None:
            self.report.known.append(other)
            return
        try:
            new, line_keys = self.engine.revise(article_id, record, outlet=self.outlet)
        except InputError as exc:
            self.report.rejected.append(Rejection(record.source, str(exc)))
            return
        if new.text == old.text and new.title == old.title:
            self.report.known.append(article_id)  # only the markup around the article changed
            return
        self._add_revision(old, new, line_keys, fetched_at, canonical, aliases)

    def _add_revision(self, old: Article, new: Article, line_keys: dict[str, bool],
                      fetched_at: str, canonical: str, aliases: list[str]) -> None:
        assert old.id is not None
        past = self.tables.revisions([old.id])
        diff = word_diff(old.text, new.text)
        if old.title != new.title:
            diff.insert(0, {"op": "title", "at": -1, "before": "", "old": old.title or "",
                            "new": new.title or "", "after": ""})
        note = correction_note(old.text, new.text)
        with self.engine.store.transaction():
            if not past:
                first = old.metadata.get("fetched_at") or old.ingested_at or fetched_at
                self.tables.add_revision(Revision(old.id, 1, first, old.content_hash,
                                                  old.title, old.text, [], False, None))
            rev = (past[-1].rev if past else 1) + 1
            self.tables.replace_article(new, line_keys)
            self.tables.add_revision(Revision(old.id, rev, fetched_at, new.content_hash,
                                              new.title, new.text, diff, note is None, note))
            self.tables.link_urls(old.id, canonical, aliases)
        self.report.revised.append({"article": old.id, "rev": rev, "stealth": note is None,
                                    "changes": len(diff)})


def _reason(url: str, exc: Exception) -> str:
    """The error's message without the URL it starts with (the rejection names it)."""
    return str(exc).removeprefix(f"{url}: ")


def fetch_into(engine: Engine, urls: Iterable[str], fetcher: Fetcher, *,
               since: str | None = None, max_pages: int = 1000,
               outlet: str | None = None) -> FetchReport:
    """Fetch each URL (a page, feed, sitemap or OPML list) into ``engine``, then run the
    stages on what is new or revised. Problems become rejections; nothing raises."""
    collector = Collector(engine, fetcher, since=since, max_pages=max_pages, outlet=outlet)
    for url in urls:
        collector.visit(url)
    engine.analyze()
    return collector.report
