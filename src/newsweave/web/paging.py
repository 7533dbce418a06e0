"""Request parameters that readers can tamper with: page sizes, cursors, ids, dates.

Every parser raises :class:`BadRequest` with a message naming the parameter, so a
bad value becomes a 400 with the one error shape, never a 500.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date
from typing import Any

DEFAULT_PAGE = 20
MAX_PAGE = 200


class BadRequest(ValueError):
    """A request parameter that cannot be used (the response is a 400)."""


def page_size(raw: str | None, default: int = DEFAULT_PAGE) -> int:
    """``?size=``: a whole number, clamped to 1..MAX_PAGE."""
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"size must be a whole number, got {raw[:40]!r}") from None
    return max(1, min(MAX_PAGE, value))


def whole(raw: str | None, name: str, *, required: bool = False) -> int | None:
    """An id-like parameter: a non-negative whole number below 2**63."""
    if raw is None or raw == "":
        if required:
            raise BadRequest(f"{name} is required")
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise BadRequest(f"{name} must be a whole number, got {raw[:40]!r}")
    return int(raw)


def day(raw: str | None, name: str) -> date | None:
    """A YYYY-MM-DD date parameter."""
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10]) if len(raw) == 10 else date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a date like 2026-03-01, got {raw[:40]!r}") from None


def choice(raw: str | None, name: str, options: tuple[str, ...]) -> str:
    """One of ``options`` (the first when absent)."""
    if raw is None or raw == "":
        return options[0]
    if raw not in options:
        raise BadRequest(f"{name} must be one of {', '.join(options)}, got {raw[:40]!r}")
    return raw


def encode_cursor(kind: str, *values: Any) -> str:
    """An opaque cursor: base64url of a small JSON list tagged with what it pages."""
    data = json.dumps([kind, *values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def decode_cursor(raw: str | None, kind: str, types: tuple[type, ...]) -> tuple[Any, ...] | None:
    """The values of a cursor made by :func:`encode_cursor` for ``kind``; BadRequest for
    anything else (a cursor of another list, edited by hand, or garbage)."""
    if not raw:
        return None
    bad = BadRequest("cursor is not one this server gave out (start again from the first page)")
    if len(raw) > 200:
        raise bad
    try:
        data = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise bad from None
    if not isinstance(data, list) or len(data) != len(types) + 1 or data[0] != kind:
        raise bad
    values = data[1:]
    for value, wanted in zip(values, types, strict=True):
        ok = isinstance(value, wanted) and not isinstance(value, bool)
        if wanted is float:
            ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok or (isinstance(value, int | float) and not -2**62 < value < 2**62):
            raise bad
        if isinstance(value, str) and len(value) > 100:
            raise bad
    return tuple(values)
