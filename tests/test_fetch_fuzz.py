"""Fuzzing every reader with hypothesis: hostile bytes give a result or a clear
InputError, never a crash or a hang (each example has a deadline)."""

from __future__ import annotations

import gzip
import io
import os
from pathlib import Path

import feedparser  # noqa: F401  (imported once here, not inside a timed example)
import lxml.html  # noqa: F401
import warcio.archiveiterator  # noqa: F401
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsweave.errors import InputError
from newsweave.fetch.guard import Guard
from newsweave.fetch.parse import (
    canonical_url,
    parse_feed,
    parse_opml,
    parse_sitemap,
    read_page_links,
    sniff_kind,
)
from newsweave.ingest import decode_bytes, read_records
from newsweave.ingest.sources import Input
from newsweave.ingest.warc import read_warc
from newsweave.model import Rejection

# A deadline per example catches a hang; it is generous because the machine may be loaded.
FUZZ = settings(max_examples=int(os.environ.get("NEWSWEAVE_FUZZ_EXAMPLES", "60")), deadline=10_000,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# Pieces of real syntax mixed with noise reach deeper into parsers than random bytes.
XML_BITS = ['<?xml version="1.0"?>', "<rss>", "</rss>", "<channel>", "</channel>", "<item>",
            "</item>", "<title>", "</title>", "<link>", "</link>", "<feed>", "</feed>",
            "<entry>", "<content>", "<urlset>", "</urlset>", "<url>", "<loc>", "</loc>",
            "<lastmod>", "</lastmod>", "<sitemapindex>", "<opml>", "<outline xmlUrl='",
            "'/>", "<![CDATA[", "]]>", "<!DOCTYPE x>", "&amp;", "&#0;", "&bogus;", "<", ">",
            "http://a.example/x", "2026-12-05", "\x00", "\ufeff", "é", '"']
HTML_BITS = ["<html>", "<head>", "<link rel='canonical' href='", "<meta property='og:url' "
             "content='", "'>", "<html amp>", "<p>", "</p>", "<script>", "<article>",
             "<link rel='alternate' type='application/rss+xml' href='", "javascript:x",
             "//evil.example/", "../../", "\x00", "<!--", "-->", "<", ">", "{", "}", '"']
JSON_BITS = ["{", "}", "[", "]", '"text": ', '"title": ', '"articles": ', '"x"', ",", ":",
             "null", "1e999", '"\\ud800"', "\n", "true"]


def mixed(bits: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(bits) | st.text(max_size=12), max_size=40).map("".join)


def check_records(source: str, text: str) -> None:
    for item in read_records(source, text):
        assert isinstance(item, Rejection) or item.body is not None


@FUZZ
@given(mixed(XML_BITS))
def test_feed_parser(text: str):
    try:
        feed = parse_feed(text.encode("utf-8", "surrogatepass"), "fuzz.xml")
    except InputError as exc:
        assert str(exc)
    else:
        assert all(entry.key for entry in feed.entries)


@FUZZ
@given(mixed(XML_BITS))
def test_sitemap_and_opml_parsers(text: str):
    data = text.encode("utf-8", "surrogatepass")
    for parse in (parse_sitemap, parse_opml):
        try:
            parse(data, "fuzz.xml")
        except InputError as exc:
            assert "fuzz.xml" in str(exc)
    try:
        sniff_kind(data)
    except InputError as exc:
        assert "entities" in str(exc)


@FUZZ
@given(mixed(HTML_BITS), st.sampled_from(["https://news.example/a/b", "http://x.example/amp/1"]))
def test_html_page_links(html: str, url: str):
    links = read_page_links(html, url)
    assert links.canonical is None or isinstance(links.canonical, str)
    assert isinstance(canonical_url(url, links.canonical), str)


@FUZZ
@given(st.sampled_from(["a.html", "a.json", "a.jsonl", "a.xml", "a.txt", "noext"]),
       mixed(XML_BITS + HTML_BITS + JSON_BITS))
def test_ingest_readers(source: str, text: str):
    check_records(source, text)


@FUZZ
@given(st.binary(max_size=2000))
def test_decode_bytes(data: bytes):
    try:
        text, encoding = decode_bytes(data, 10_000)
    except InputError as exc:
        assert str(exc)
    else:
        assert isinstance(text, str) and encoding


@FUZZ
@given(st.text(max_size=60))
def test_guard_on_any_string(url: str):
    guard = Guard(resolver=lambda host, port: ["93.184.216.34"])
    try:
        target = guard.check(url)
    except InputError as exc:
        assert str(exc)
    else:
        assert (target.scheme in ("http", "https") and target.address == "93.184.216.34") or (
            target.address == target.host)


def _warc_prefix() -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False)
    http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(
        "http://news.example/a", "response", payload=io.BytesIO(b"<p>Some news text.</p>"),
        http_headers=http))
    return out.getvalue()


PREFIX = _warc_prefix()


@FUZZ
@given(st.binary(max_size=600), st.integers(min_value=0, max_value=len(PREFIX)),
       st.booleans())
def test_warc_reader(tmp_path_factory, noise: bytes, cut: int, compress: bool):
    data = PREFIX[:cut] + noise
    if compress:
        data = gzip.compress(data)
    path = Path(tmp_path_factory.mktemp("warc")) / "fuzz.warc.gz"
    path.write_bytes(data)
    items = list(read_warc(Input(str(path), path), 10_000))
    assert all(isinstance(i, Rejection) or i.body for i in items)
