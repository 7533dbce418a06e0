"""Stance over a batch of JSON lines: ``{"id", "claim", "text"}`` in, ``{"id", "stance",
"score", "evidence"}`` out, one line each.

A body that recurs across lines (one article checked against many claims, as in
a fact-checker's queue or a stance benchmark) is analysed once, and so is a
recurring claim. A bad line (not JSON, a missing or empty field) gives an output
line ``{"id", "line", "error"}`` naming the problem; the lines after it are still
read.

Stable API: :func:`stance_lines`, :func:`stance_pair`.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import Any

from newsweave.crosscheck.stance import (
    BodyView,
    ClaimView,
    analyse_body,
    analyse_claim,
    stance_many,
    stance_of,
)

CHUNK = 64  # lines read together: one call of the sentence model serves them all
CACHE_BODIES = 4096  # analysed bodies kept: a recurring body is usually near its last use
FIELDS = ("id", "claim", "text")


class BodyCache:
    """Analysed claims and bodies by content (SHA-1 of the text), least recently used dropped
    first. Safe to share between threads: the worst a race does is analyse a text twice."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._lock = threading.Lock()
        self.bodies: OrderedDict[str, BodyView] = OrderedDict()
        self.claims: OrderedDict[str, ClaimView] = OrderedDict()

    def body(self, text: str) -> BodyView:
        return self._get(self.bodies, text, analyse_body)

    def claim(self, text: str) -> ClaimView:
        return self._get(self.claims, text, analyse_claim)

    def _get(self, table: OrderedDict, text: str, make: Any) -> Any:
        key = hashlib.sha1(text.encode("utf-8")).hexdigest()
        with self._lock:
            found = table.get(key)
            if found is not None:
                table.move_to_end(key)
                return found
        found = make(text)  # outside the lock: analysis is the slow part
        with self._lock:
            table[key] = found
            if len(table) > self.size:
                table.popitem(last=False)
        return found


def _checked(item: Any) -> dict[str, Any]:
    """The input object, or ValueError naming what is wrong with it."""
    if not isinstance(item, dict):
        raise ValueError(f"expected a JSON object with {', '.join(FIELDS)}, "
                         f"got {type(item).__name__}")
    missing = [f for f in FIELDS if f not in item]
    if missing:
        raise ValueError(f"missing field(s) {', '.join(missing)} "
                         f"(each line needs {', '.join(FIELDS)})")
    for name in ("claim", "text"):
        if not isinstance(item[name], str) or not item[name].strip():
            raise ValueError(f"field {name!r} must be a non-empty string")
    return item


def stance_pair(item: Any, cache: BodyCache | None = None) -> dict[str, Any]:
    """One parsed input object to its output object; raises ValueError naming the problem."""
    item = _checked(item)
    cache = cache or BodyCache(1)
    result = stance_of(cache.claim(item["claim"]), cache.body(item["text"]))
    return {"id": item["id"], "stance": result.stance, "score": result.score,
            "evidence": result.evidence}


def stance_lines(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Read JSON lines, yield one output object per non-blank line, in order.

    Lines are read :data:`CHUNK` at a time so that the sentence model, where it is asked,
    embeds the chunk's texts in one call (the answers are those of :func:`stance_pair`).

    >>> out = list(stance_lines(['{"id": 1, "claim": "The dam broke.", '
    ...                          '"text": "Shares rose in Tokyo."}', 'oops']))
    >>> out[0]["stance"], out[1]["error"][:15]
    ('unrelated', 'not valid JSON:')
    """
    cache = BodyCache(CACHE_BODIES)
    chunk: list[tuple[int, Any, str | None]] = []  # (line number, item, error)
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        item: Any = None
        try:
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"not valid JSON: {exc.msg} at column {exc.colno}") from None
            chunk.append((number, _checked(item), None))
        except ValueError as exc:
            chunk.append((number, item, str(exc)))
        if len(chunk) >= CHUNK:
            yield from _answer(chunk, cache)
            chunk = []
    yield from _answer(chunk, cache)


def _answer(chunk: list[tuple[int, Any, str | None]], cache: BodyCache
            ) -> Iterator[dict[str, Any]]:
    good = [(item, cache.claim(item["claim"]), cache.body(item["text"]))
            for _, item, error in chunk if error is None]
    results = iter(stance_many([(claim, body) for _, claim, body in good]))
    for number, item, error in chunk:
        if error is None:
            result = next(results)
            yield {"id": item["id"], "stance": result.stance, "score": result.score,
                   "evidence": result.evidence}
        else:
            ident = item.get("id") if isinstance(item, dict) else None
            yield {"id": ident, "line": number, "error": error}


__all__ = ["FIELDS", "BodyCache", "stance_lines", "stance_pair"]
