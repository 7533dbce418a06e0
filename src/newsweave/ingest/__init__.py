"""Ingest: find inputs, read and decode them, split them into article records.

Nothing here cleans or stores; it only turns what the user named into
:class:`Record` objects, or :class:`~newsweave.model.Rejection` lines that
say which input could not be read and why.
"""

from __future__ import annotations

from collections.abc import Iterable

from newsweave.errors import InputError
from newsweave.ingest.decode import decode_bytes
from newsweave.ingest.readers import (
    Record,
    normalise_date,
    read_records,
    record_from_raw,
    sniff_format,
)
from newsweave.ingest.sources import Input, expand_paths, read_bytes
from newsweave.model import Rejection


def read_input(item: Input, max_bytes: int) -> Iterable[Record | Rejection]:
    """Every record in one input; problems become rejections, never exceptions.

    A web archive (``.warc[.gz]``, WET) is read as a stream, ``max_bytes`` per record.
    """
    from newsweave.ingest.warc import is_warc, read_warc

    if is_warc(item.source):
        return read_warc(item, max_bytes)
    try:
        text, _encoding = decode_bytes(read_bytes(item, max_bytes), max_bytes)
    except InputError as exc:
        return [Rejection(item.source, str(exc))]
    return list(read_records(item.source, text))


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
