"""Decoded input to records: one record per article the input holds.

A text or HTML file is one record; a JSON file one or many; a JSONL file one
per line; a feed one per entry with full content. A part that cannot be read
(a bad JSON line, a summary-only feed entry) is a :class:`Rejection` naming
where it is, and the rest of the input goes on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import PurePath
from typing import Any

from newsweave.model import Rejection

TEXT_FIELDS = ("text", "content", "body")
# Input field -> article field. Everything else in a JSON object is kept as metadata.
KNOWN_FIELDS = {
    "title": "title",
    "url": "url",
    "published": "published",
    "outlet": "outlet",
    "author": "author",
    "id": "external_id",
}
_EXTENSIONS = {
    ".html": "html", ".htm": "html", ".xhtml": "html", ".shtml": "html",
    ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".xml": "feed", ".rss": "feed", ".atom": "feed",
    ".txt": "text", ".text": "text", ".md": "text",
}
_HTML_START = re.compile(r"\s*(<!doctype html|<html|<head|<body|<article|<div|<p[\s>])", re.I)
_FEED_START = re.compile(
    r"\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(rss|feed|rdf:RDF)[\s>]", re.I | re.S
)
_LOOKS_HTML = re.compile(r"<(p|div|br|article|span|a|h[1-6])[\s>/]", re.I)


@dataclass(slots=True)
class Record:
    """One article's worth of input, before cleaning."""

    source: str
    raw: str  # what the content hash is computed from
    format: str  # "text" | "html"
    body: str
    raw_format: str  # the container: "text" | "html" | "json" | "feed"
    fields: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)


def sniff_format(source: str, text: str) -> str:
    """The container format, from the file name when it says, else from the content."""
    suffixes = [s.lower() for s in PurePath(source).suffixes if s.lower() != ".gz"]
    if suffixes and suffixes[-1] in _EXTENSIONS:
        return _EXTENSIONS[suffixes[-1]]
    head = text[:2048]
    if _FEED_START.match(head):
        return "feed"
    if _HTML_START.match(head):
        return "html"
    stripped = head.lstrip()
    if stripped.startswith(("{", "[")):
        first_line = text.lstrip().split("\n", 1)[0]
        try:
            json.loads(first_line)
        except ValueError:
            return "json"
        return "jsonl" if "\n" in text.strip() else "json"
    return "text"


def read_records(source: str, text: str) -> Iterator[Record | Rejection]:
    """Records in one decoded input."""
    kind = sniff_format(source, text)
    if kind == "text":
        yield Record(source, text, "text", text, "text")
    elif kind == "html":
        yield Record(source, text, "html", text, "html")
    elif kind == "json":
        yield from _read_json(source, text)
    elif kind == "jsonl":
        yield from _read_jsonl(source, text)
    else:
        yield from _read_feed(source, text)


def record_from_raw(source: str, raw: str, raw_format: str) -> Record:
    """The record again from a stored article's raw input, e.g. to clean it anew."""
    if raw_format in ("text", "html"):
        return Record(source, raw, raw_format, raw, raw_format)
    item = json.loads(raw)
    body = next(item[k] for k in TEXT_FIELDS if isinstance(item.get(k), str))
    return Record(source, raw, _body_format(body), body, raw_format)


def _read_json(source: str, text: str) -> Iterator[Record | Rejection]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield Rejection(f"{source}:{exc.lineno}", f"invalid JSON: {exc.msg} (column {exc.colno})")
        return
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data = data["articles"]
    items = data if isinstance(data, list) else [data]
    for index, item in enumerate(items):
        where = f"{source}[{index}]" if isinstance(data, list) else source
        yield _record_from_object(where, item)


def _read_jsonl(source: str, text: str) -> Iterator[Record | Rejection]:
    yield from read_jsonl_lines(source, _lines(text))


def read_jsonl_lines(source: str, lines: Iterable[str]) -> Iterator[Record | Rejection]:
    """Records of JSONL given line by line (a file read as a stream, or a decoded text):
    one per line, made as the lines come, so a big file is never all records at once."""
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{source}:{lineno}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Rejection(where, f"invalid JSON line: {exc.msg} (column {exc.colno})")
            continue
        yield _record_from_object(where, item)


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` one at a time (no list of them all). Only a line feed ends a
    line: JSON strings may hold U+2028 and other breaks that ``splitlines`` would cut at."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        if end < 0:
            end = len(text)
        yield text[start:end].rstrip("\r")
        start = end + 1


def _record_from_object(where: str, item: object) -> Record | Rejection:
    if not isinstance(item, dict):
        return Rejection(where, f"expected a JSON object, got {type(item).__name__}")
    body_key = next((k for k in TEXT_FIELDS if isinstance(item.get(k), str)), None)
    if body_key is None or not item[body_key].strip():
        return Rejection(where, "no article text: expected a 'text', 'content' or 'body' field")
    body = item[body_key]
    fields: dict[str, str] = {}
    metadata: dict[str, Any] = {}
    for key, value in item.items():
        if key == body_key:
            continue
        if key in KNOWN_FIELDS and value not in (None, ""):
            fields[KNOWN_FIELDS[key]] = str(value)
        elif key not in TEXT_FIELDS:
            metadata[key] = value
    if "published" in fields:
        _read_published(fields, metadata)
    raw = json.dumps(item, ensure_ascii=False, sort_keys=True)
    return Record(where, raw, _body_format(body), body, "json", fields, metadata)


def _read_feed(source: str, text: str) -> Iterator[Record | Rejection]:
    import feedparser  # imported here: only feeds need it, and it is slow to import

    parsed = feedparser.parse(text)
    if not parsed.entries:
        problem = parsed.get("bozo_exception")
        yield Rejection(source, f"not a readable RSS/Atom feed ({problem or 'no entries'})")
        return
    feed_title = parsed.feed.get("title")
    for index, entry in enumerate(parsed.entries):
        ident = entry.get("id") or entry.get("link") or str(index)
        where = f"{source}#{ident}"
        contents = entry.get("content") or []
        content = max((c.get("value", "") for c in contents), key=len, default="")
        if not content.strip():
            summary = entry.get("summary", "")
            yield Rejection(
                where,
                f"feed entry has only a summary ({len(summary)} characters), not the full "
                "article; ingest the article page instead",
            )
            continue
        fields = {"title": entry.get("title"), "url": entry.get("link"),
                  "author": entry.get("author"), "external_id": entry.get("id"),
                  "outlet": feed_title, "published": _feed_date(entry)}
        fields = {k: v for k, v in fields.items() if v}
        raw = json.dumps({"id": ident, "title": fields.get("title"), "content": content},
                         ensure_ascii=False, sort_keys=True)
        metadata: dict[str, Any] = {"feed": feed_title} if feed_title else {}
        if "published" in fields:
            _read_published(fields, metadata)
        yield Record(where, raw, _body_format(content), content, "feed", fields, metadata)


def _body_format(body: str) -> str:
    """JSON and feed bodies may be HTML fragments: those go through the HTML cleaner."""
    return "html" if _LOOKS_HTML.search(body[:5000]) else "text"


def _feed_date(entry: Any) -> str | None:
    for key in ("published", "updated"):
        value = entry.get(key)
        if value:
            return str(value)
    return None


def _read_published(fields: dict[str, str], metadata: dict[str, Any]) -> None:
    """The input's ``published`` as ISO 8601; one that cannot be read is dropped from the
    fields (the cleaner may still find a date in the text) and kept as given in
    ``metadata["published_raw"]``."""
    given = fields.pop("published")
    found = normalise_date(given)
    if found is None:
        metadata["published_raw"] = given
    else:
        fields["published"] = found


def normalise_date(value: str) -> str | None:
    """ISO 8601 for a date given in an input field, or None if it cannot be read (the caller
    keeps the value as given in the article's metadata, never as its date).

    A time with an offset keeps it: the local day is the one "yesterday" and "on Monday"
    count from (a Monday-evening report from New York is not a Tuesday one). UTC times are
    written without an offset, as before.
    """
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is not None and parsed.utcoffset() == timedelta(0):
        parsed = parsed.replace(tzinfo=None)
    if (parsed.hour, parsed.minute, parsed.second) == (0, 0, 0) and len(value) <= 10:
        return parsed.date().isoformat()
    return parsed.isoformat(timespec="minutes")
