"""Bytes to text: refuse binaries, unpack gzip, detect the encoding."""

from __future__ import annotations

import gzip
import io
import re
import zlib

from charset_normalizer import from_bytes

from newsweave.errors import InputError

# Signatures of binary formats people drop into a news folder by mistake.
_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PK\x03\x04": "a ZIP archive (or an Office document)",
    b"\x7fELF": "an executable",
    b"SQLite format 3": "an SQLite database",
}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_\-:.]+)""", re.I)
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def decode_bytes(data: bytes, max_bytes: int) -> tuple[str, str]:
    """Return ``(text, encoding)`` for raw input bytes, or raise :class:`InputError`."""
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(data, max_bytes)
    if not data.strip():
        raise InputError("empty input: nothing to read")
    kind = binary_kind(data)
    if kind:
        raise InputError(f"binary file ({kind}), not text, HTML, JSON or a feed")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode(data, encoding), encoding
    if b"\x00" in data[:8192]:
        raise InputError("binary file (holds NUL bytes), not text, HTML, JSON or a feed")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        encoding = declared.group(1).decode("ascii", "replace")
        try:
            return data.decode(encoding), encoding.lower()
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration is common; fall back to detection
    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise InputError("not UTF-8 and no text encoding could be detected")
    text = str(best)
    if _control_share(text) > 0.05:
        raise InputError("binary file (mostly control characters), not text")
    return text, best.encoding


def binary_kind(data: bytes) -> str | None:
    """What binary format ``data`` starts with ("a PDF document"), or None."""
    return next((kind for magic, kind in _MAGIC.items() if data.startswith(magic)), None)


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(f"invalid {encoding} text at byte {exc.start}") from None


def _gunzip(data: bytes, max_bytes: int) -> bytes:
    try:
        # Read at most max_bytes + 1 so a gzip bomb cannot exhaust memory.
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as handle:
            out = handle.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"corrupt gzip data ({exc})") from None
    if len(out) > max_bytes:
        raise InputError(f"unpacks to over the size limit of {max_bytes:,} bytes")
    return out


def _control_share(text: str) -> float:
    sample = text[:8192]
    control = sum(1 for c in sample if ord(c) < 32 and c not in "\n\r\t\f")
    return control / max(1, len(sample))

