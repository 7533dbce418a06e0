"""Web archives (WARC, ARC, WET) to records, streaming: one record in memory at a time.

A crawl holds far more than articles: requests, redirects, images, scripts,
metadata. Only HTML responses with status 200 (and WET text conversions)
become records, with their target URL and capture time; the rest is passed
over without a word. A record that should be an article but cannot be read (a
body over the size limit, an undecodable payload, a truncated file) is a
:class:`~newsweave.model.Rejection` with the record's URL or offset, and the
archive goes on. Read with warcio (pure Python; the parse is a few per cent of
the cost of cleaning a page, see docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from newsweave.errors import InputError
from newsweave.ingest.decode import decode_bytes
from newsweave.ingest.readers import Record
from newsweave.ingest.sources import Input
from newsweave.model import Rejection

_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz", ".wet", ".wet.gz", ".warc.wet.gz")
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def is_warc(source: str) -> bool:
    """Whether a file name says web archive.

    >>> is_warc("crawl-00001.warc.gz"), is_warc("page.html")
    (True, False)
    """
    return source.lower().endswith(_SUFFIXES)


def read_warc(item: Input, max_bytes: int) -> Iterator[Record | Rejection]:
    """Records of the articles in one web archive, read as a stream."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    if item.path is None:
        yield Rejection(item.source, "a web archive must be a file, not standard input")
        return
    try:
        handle = item.path.open("rb")
    except OSError as exc:
        yield Rejection(item.source, f"cannot read: {exc.strerror or exc}")
        return
    with handle:
        records = ArchiveIterator(handle, arc2warc=True)
        while True:
            try:
                record = next(records)
            except StopIteration:
                return
            except (ArchiveLoadFailed, ValueError, OSError, EOFError, AttributeError,
                    TypeError, IndexError) as exc:
                # warcio trips over some malformed headers with AttributeError/TypeError
                # (found by fuzzing); any of these ends the readable part of the file.
                where = f"{item.source}@{handle.tell()}"
                yield Rejection(where, f"unreadable web archive record, rest of file skipped "
                                       f"({str(exc)[:200]})")
                return
            try:
                found = _article(item.source, record, max_bytes)
            except InputError as exc:
                uri = record.rec_headers.get_header("WARC-Target-URI") or "?"
                yield Rejection(f"{item.source}#{uri}", str(exc))
                continue
            except Exception as exc:  # a malformed record must not lose the archive
                yield Rejection(item.source, f"bad web archive record ({type(exc).__name__}: "
                                             f"{str(exc)[:200]})")
                continue
            if found is not None:
                yield found


def _article(source: str, record: Any, max_bytes: int) -> Record | None:
    kind = record.rec_type
    headers = record.rec_headers
    uri = (headers.get_header("WARC-Target-URI") or "").strip()
    captured = headers.get_header("WARC-Date")
    if kind == "response":
        http = record.http_headers
        if http is None or not http.get_statuscode().startswith("200"):
            return None
        content_type = (http.get_header("Content-Type") or "").lower()
        if content_type and not content_type.startswith(_HTML_TYPES):
            return None
        text_format = "html"
    elif kind == "conversion":  # WET: text already extracted by the crawler
        text_format = "text"
    else:
        return None
    payload = record.content_stream().read(max_bytes + 1)
    if len(payload) > max_bytes:
        raise InputError(f"record body over the size limit of {max_bytes:,} bytes")
    text, _encoding = decode_bytes(payload, max_bytes)
    fields = {"url": uri} if uri else {}
    metadata = {"warc_file": source, "captured_at": captured,
                "warc_record_id": headers.get_header("WARC-Record-ID")}
    return Record(uri or source, text, text_format, text, text_format, fields,
                  {k: v for k, v in metadata.items() if v})
