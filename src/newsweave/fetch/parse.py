"""What a fetched resource is, and what it holds: pages, feeds, sitemaps, OPML.

Every parser here takes hostile bytes. XML is refused outright when it
declares entities (billion laughs, external entities) and is otherwise read
with defusedxml; HTML with lxml's forgiving parser. Each function either
returns its result or raises :class:`~newsweave.errors.InputError` with a
reason a person can act on.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from newsweave.errors import InputError
from newsweave.ingest.readers import normalise_date

_ENTITY = re.compile(rb"<!ENTITY", re.I)
_ROOT = re.compile(
    rb"^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*|<\?[^>]*\?>\s*|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>\s*)*"
    rb"<([\w:.-]+)",
    re.S,
)
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml",
               "application/feed+json")
_AMP_PATH = re.compile(r"(/amp/?$|/amp/|[?&](amp|outputType=amp)(=[^&]*)?(&|$)|\.amp(\.html)?$)",
                       re.I)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed: its link, id, and full content when the feed carries it."""

    key: str  # what identifies the entry across polls (id, else link)
    link: str | None
    title: str | None
    published: str | None
    updated: str | None  # the entry's own last-changed date, when it gives one
    author: str | None
    content: str  # "" for a summary-only entry
    summary: str


@dataclass(slots=True)
class Feed:
    title: str | None
    entries: list[FeedEntry] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    url: str
    lastmod: str | None  # ISO 8601 as normalised, or None
    is_index: bool  # True: a child sitemap, not a page


def unpack(data: bytes, limit: int, where: str) -> bytes:
    """A body that is itself a gzip file (``sitemap.xml.gz``, served without a
    Content-Encoding) unpacked, at most ``limit`` bytes; other bodies as they are."""
    if not data.startswith(b"\x1f\x8b"):
        return data
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflate.decompress(data, limit + 1)
    except zlib.error as exc:
        raise InputError(f"{where}: corrupt gzip file ({exc})") from None
    if len(out) > limit or inflate.unconsumed_tail:
        raise InputError(f"{where}: gzip file unpacks to over the size limit of {limit:,} bytes")
    return out


def refuse_xml_entities(data: bytes, where: str) -> None:
    """Raise if the XML declares entities: the door to entity bombs and external entities."""
    if _ENTITY.search(data):
        raise InputError(f"{where}: XML declares entities (<!ENTITY>), refused: a possible "
                         "entity-expansion or external-entity attack")


def sniff_kind(data: bytes, content_type: str = "") -> str:
    """``"feed"``, ``"sitemap"``, ``"opml"`` or ``"html"`` for a fetched body.

    XML that declares entities is refused here, whatever it claims to be.

    >>> sniff_kind(b'<?xml version="1.0"?><urlset xmlns="x"></urlset>')
    'sitemap'
    >>> sniff_kind(b"<html><body>hi</body></html>", "text/html")
    'html'
    """
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
    if head.lstrip().startswith((b"<?xml", b"<!DOCTYPE", b"<!doctype")):
        refuse_xml_entities(data, "XML document")
    root = _ROOT.match(head)
    name = root.group(1).decode("ascii", "replace").lower().split(":")[-1] if root else ""
    if name in ("urlset", "sitemapindex"):
        return "sitemap"
    if name in ("rss", "feed", "rdf"):
        return "feed"
    if name == "opml":
        return "opml"
    if name == "html" or "html" in content_type:
        return "html"
    if any(t in content_type for t in ("rss", "atom")):
        return "feed"
    return "html"


def parse_feed(data: bytes, where: str) -> Feed:
    """The entries of an RSS/Atom feed (entity declarations refused)."""
    import feedparser  # slow to import; only feeds need it

    refuse_xml_entities(data, where)
    parsed = feedparser.parse(data)
    if not parsed.entries and (parsed.get("bozo") or not parsed.get("version")):
        problem = parsed.get("bozo_exception") or "no entries"
        raise InputError(f"{where}: not a readable RSS/Atom feed ({problem})")
    entries = []
    for index, entry in enumerate(parsed.entries):
        contents = entry.get("content") or []
        content = max((str(c.get("value", "")) for c in contents), key=len, default="")
        link = _text(entry.get("link"))
        key = _text(entry.get("id")) or link or f"#{index}"
        date = _text(entry.get("published") or entry.get("updated"))
        entries.append(FeedEntry(
            key=key, link=link, title=_text(entry.get("title")),
            published=normalise_date(date) if date else None,
            updated=_text(dict.get(entry, "updated")), author=_text(entry.get("author")),
            content=content if content.strip() else "", summary=_text(entry.get("summary")) or "",
        ))
    return Feed(_text(parsed.feed.get("title")), entries)


def parse_sitemap(data: bytes, where: str) -> list[SitemapEntry]:
    """URLs of a sitemap or sitemap index (news sitemaps' publication date as lastmod)."""
    import defusedxml.ElementTree as SafeTree
    from defusedxml import DefusedXmlException

    refuse_xml_entities(data, where)
    try:
        root = SafeTree.fromstring(data)
    except DefusedXmlException as exc:
        raise InputError(f"{where}: unsafe XML refused ({exc})") from None
    except SafeTree.ParseError as exc:
        raise InputError(f"{where}: not well-formed XML ({exc})") from None
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        raise InputError(f"{where}: not a sitemap (root element <{kind}>)")
    found = []
    for node in root:
        if _local(node.tag) not in ("url", "sitemap"):
            continue
        loc = lastmod = None
        for child in node.iter():
            name = _local(child.tag)
            text = (child.text or "").strip()
            if name == "loc" and text and loc is None:
                loc = text
            elif name in ("lastmod", "publication_date") and text and lastmod is None:
                lastmod = normalise_date(text)
        if loc:
            found.append(SitemapEntry(loc, lastmod, kind == "sitemapindex"))
    return found


def parse_opml(data: bytes, where: str) -> list[str]:
    """Feed URLs (``xmlUrl``) of an OPML subscription list."""
    import defusedxml.ElementTree as SafeTree
    from defusedxml import DefusedXmlException

    refuse_xml_entities(data, where)
    try:
        root = SafeTree.fromstring(data)
    except (DefusedXmlException, SafeTree.ParseError) as exc:
        raise InputError(f"{where}: not a readable OPML file ({exc})") from None
    urls = [(o.get("xmlUrl") or o.get("xmlurl") or "").strip() for o in root.iter("outline")]
    return [u for u in urls if u]


@dataclass(frozen=True, slots=True)
class PageLinks:
    """What a page says about itself: canonical URL, AMP-ness, feeds it advertises."""

    canonical: str | None
    is_amp: bool
    feeds: list[str]


def read_page_links(html: str, page_url: str) -> PageLinks:
    """``rel=canonical`` (else ``og:url``), whether the page is AMP, and its feed links.

    >>> links = read_page_links('<html amp><head><link rel="canonical" href="/a">'
    ...     '<link rel="alternate" type="application/rss+xml" href="/rss"></head></html>',
    ...     "https://news.example/amp/a")
    >>> links.canonical, links.is_amp, links.feeds
    ('https://news.example/a', True, ['https://news.example/rss'])
    """
    import lxml.html
    from lxml import etree

    try:
        doc = lxml.html.document_fromstring(html[:2_000_000] or "<html></html>")
    except (etree.ParserError, ValueError):
        return PageLinks(None, bool(_AMP_PATH.search(page_url)), [])
    canonical = og = None
    feeds: list[str] = []
    for link in doc.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        href = (link.get("href") or "").strip()
        if not href:
            continue
        if "canonical" in rel and canonical is None:
            canonical = href
        elif "alternate" in rel and (link.get("type") or "").lower() in _FEED_TYPES:
            feeds.append(_absolute(page_url, href))
    for meta in doc.iter("meta"):
        if (meta.get("property") or meta.get("name") or "").lower() == "og:url":
            og = (meta.get("content") or "").strip() or None
            break
    root = doc.getroottree().getroot()
    is_amp = "amp" in root.attrib or "⚡" in root.attrib or bool(_AMP_PATH.search(page_url))
    chosen = canonical or og
    return PageLinks(_absolute(page_url, chosen) if chosen else None, is_amp,
                     list(dict.fromkeys(f for f in feeds if f)))


def canonical_url(page_url: str, declared: str | None = None) -> str:
    """The article's identity: the declared canonical URL when it is on the same site,
    else the page URL; tracking parameters and the fragment removed (courlan).

    >>> canonical_url("https://News.example/a?utm_source=x&id=3&fbclid=9#c")
    'https://news.example/a?id=3'
    >>> canonical_url("https://news.example/amp/a", "https://elsewhere.example/b")
    'https://news.example/amp/a'
    >>> canonical_url("https://news.example/2026/12/a", "https://news.example/")
    'https://news.example/2026/12/a'
    """
    from courlan import normalize_url

    chosen = page_url
    if declared and urlsplit(declared).scheme in ("http", "https") and same_site(
        page_url, declared
    ) and not _is_front_page_of_article(declared, page_url):
        chosen = declared
    try:
        return normalize_url(chosen, strict=True)
    except (ValueError, AttributeError):
        return chosen.split("#")[0]


def _is_front_page_of_article(declared: str, page_url: str) -> bool:
    """A site that declares its home page canonical on every article (a common template
    mistake) would fold all its articles into one: such a declaration is ignored."""
    return urlsplit(declared).path.strip("/") == "" and urlsplit(page_url).path.strip("/") != ""


def same_site(a: str, b: str) -> bool:
    """Whether two URLs are on one site (equal hosts, or one's host under the other's)."""
    ha = (urlsplit(a).hostname or "").removeprefix("www.")
    hb = (urlsplit(b).hostname or "").removeprefix("www.")
    return bool(ha and hb) and (ha == hb or ha.endswith("." + hb) or hb.endswith("." + ha))


def iter_lines_file(text: str) -> Iterator[str]:
    """Lines of a plain list of URLs: blank lines and ``#`` comments skipped."""
    for line in text.splitlines():
        line = line.split(" #")[0].strip()
        if line and not line.startswith("#"):
            yield line


def _absolute(base: str, href: str) -> str:
    try:
        return urljoin(base, href)
    except ValueError:
        return ""


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _text(value: Any) -> str | None:
    return str(value).strip() or None if value is not None else None
