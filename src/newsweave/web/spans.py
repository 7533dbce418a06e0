"""Story list pages cut from *spans*: the first entries of a list after a cursor, computed
once and shared by every page size and every cursor inside them.

A page of the story list is the first ``size`` stories after a keyset cursor in one total
order (sort key, then id, both descending). So the page of 10 after a cursor is the
start of the page of 50 after it, and the second page of 10 is inside that page of 50
too. The list cache keeps spans of :data:`SPAN` stories (more for a larger page): a
reader's first page of any size, and the pages it reaches by following its cursors
while they stay inside the span, are slices of one computation, where each (size,
cursor) was a page computed and refilled of its own before (8 clients asking for three
sizes of three sorts computed 281 distinct story-list pages in the load benchmark's mix,
each a request's 7-8 ms of CPU behind the other clients).

A slice is exact for the span's store state: a span computed from cursor ``a`` holds the
first stories after ``a`` at that state; for a cursor ``b`` at or after ``a`` in the order,
the span's stories after ``b`` are the first stories after ``b`` at that state, and a page
is cut only when the span holds all of it (and the story after it, which says whether
there is a next page) or ends where the list ends.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from typing import Any

SPAN = 50  # stories a span holds (a page of more: that page), plus the one after
ANCHORS = 4096  # cursors remembered with the span that holds the page after them
Cursor = tuple[float, int]


def span_limit(size: int, kept: bool) -> int:
    """Stories to compute for a page of ``size``: a span, or with no page kept (nothing
    to share a span with) the page and the story after it."""
    return max(size, SPAN) + 1 if kept else size + 1


def cursor_of(entry: tuple[Any, float]) -> Cursor:
    """The keyset cursor of a listed (story, sort key) entry: the page after it starts
    with the next story."""
    story, key = entry
    return float(key), int(story.id)


def cut(found: Sequence[tuple[Any, float]], after: Cursor | None, size: int,
        limit: int) -> list[tuple[Any, float]] | None:
    """The page of ``size`` after ``after`` (and the story after it, if any) from a span
    ``found`` computed with ``limit`` from a cursor at or before ``after``; None when the
    span does not hold the whole page (it ends before, and not where the list ends)."""
    start = 0
    if after is not None:
        while start < len(found) and cursor_of(found[start]) >= after:
            start += 1
    rest = found[start:]
    if len(rest) > size or len(found) < limit:
        return list(rest[: size + 1])
    return None


class Anchors:
    """Per list (sort and filters) and cursor: the span (its own cursor and limit) that
    held the page after that cursor when it was handed out as a ``next_url``, the most
    recent :data:`ANCHORS` of them. Only a hint: the page is cut from it when the span is
    still kept and still holds the whole page (:func:`cut`), else computed from the
    cursor."""

    def __init__(self, kept: int = ANCHORS) -> None:
        self._kept = kept
        self._lock = threading.Lock()
        self._spans: OrderedDict[tuple[Hashable, Cursor], tuple[Cursor | None, int]] = \
            OrderedDict()

    def get(self, listed: Hashable, after: Cursor) -> tuple[Cursor | None, int] | None:
        with self._lock:
            return self._spans.get((listed, after))

    def put(self, listed: Hashable, after: Cursor, span: tuple[Cursor | None, int]) -> None:
        with self._lock:
            self._spans[(listed, after)] = span
            self._spans.move_to_end((listed, after))
            while len(self._spans) > self._kept:
                self._spans.popitem(last=False)
