"""Ingest: find inputs, read and decode them, split them into article records.

Nothing here cleans or stores; it only turns what the user named into
:class:`Record` objects, or :class:`~newsweave.model.Rejection` lines that
say which input could not be read and why.
"""

from __future__ import annotations

from collections.abc import Iterator

from newsweave.errors import InputError
from newsweave.ingest.decode import decode_bytes
from newsweave.ingest.readers import (
    Record,
    normalise_date,
    read_jsonl_lines,
    read_records,
    record_from_raw,
    sniff_format,
)
from newsweave.ingest.sources import Input, expand_paths, read_bytes, stream_lines
from newsweave.model import Rejection


def read_input(item: Input, max_bytes: int) -> Iterator[Record | Rejection]:
    """Every record in one input, made as the caller asks for them; problems become
    rejections, never exceptions.

    A web archive (``.warc[.gz]``, WET) is read as a stream, ``max_bytes`` per record; a
    JSON Lines file (``.jsonl``, ``.ndjson``, UTF-8) line by line: a big input is never
    all records at once, so the engine's batches of records bound the memory.
    """
    from newsweave.ingest.warc import is_warc, read_warc

    if is_warc(item.source):
        yield from read_warc(item, max_bytes)
        return
    lines = stream_lines(item, max_bytes)
    if lines is not None:
        yield from read_jsonl_lines(item.source, lines)
        return
    try:
        text, _encoding = decode_bytes(read_bytes(item, max_bytes), max_bytes)
    except InputError as exc:
        yield Rejection(item.source, str(exc))
        return
    yield from read_records(item.source, text)


__all__ = [
    "Input",
    "Record",
    "decode_bytes",
    "expand_paths",
    "normalise_date",
    "read_input",
    "read_records",
    "record_from_raw",
    "sniff_format",
]
