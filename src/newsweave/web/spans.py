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

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
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


RECORDS = 20_000  # story records kept per store state (a few hundred bytes each)
STATES = 2  # store states whose records are kept (the newest and the one before)


class Records:
    """Story records (title, members, outlets, dates, independent origins: what a span
    lists of a story) built at a store state of the story list, shared by every span
    computed at that state. The spans of the sorts and filters overlap: in the load
    benchmark's 100k store the first four spans of 3 sorts x 11 filters list 6,732
    entries of 495 stories, and building a story's record was most of a span's CPU. A
    record is labelled with the state read before it was built, so it shows that state or
    a newer one, as a span computed at that label does; a span at another label builds
    its own. Each span gets copies (a span's confidences are set on its own)."""

    def __init__(self, kept: int = RECORDS) -> None:
        self._kept = kept
        self._lock = threading.Lock()
        self._states: OrderedDict[Hashable, dict[int, Any]] = OrderedDict()
        self.reused = 0
        self.built = 0

    def build(self, state: Hashable, ids: Sequence[int],
              builder: Callable[[list[int]], list[Any]]) -> list[Any]:
        """The records of ``ids`` (those that exist, in that order) at ``state``: kept
        ones copied, the others built by ``builder`` (records for the live ones among
        the ids given) and kept."""
        with self._lock:
            kept = self._states.get(state) or {}
            known = {i: kept[i] for i in ids if i in kept}
        missing = [i for i in ids if i not in known]
        if missing:
            fresh = {s.id: s for s in builder(missing)}
            known.update(fresh)
            with self._lock:
                kept = self._states.get(state)
                if kept is None:
                    kept = self._states[state] = {}
                    while len(self._states) > STATES:
                        self._states.popitem(last=False)
                if len(kept) + len(fresh) <= self._kept:  # never handed out: kept as built
                    kept.update(fresh)
                self.built += len(fresh)
                self.reused += len(ids) - len(missing)
        else:
            with self._lock:
                self.reused += len(ids)
        return [copy.copy(known[i]) for i in ids if i in known]
