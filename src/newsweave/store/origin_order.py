"""The story list's "origins" order: independent origins per story, counted once per
store state and shared by the connections of a process, brought up to date from the
counts of the state before (only the stories that new articles joined, unless an old
member or origin moved).

A part of :class:`newsweave.store.listing.ListingTables` (its base class), not to be used
on its own: the methods read ``_db``, ``_store`` and ``generation``, which the tables set.
"""

from __future__ import annotations

import bisect
import dataclasses
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsweave.store.progress import CLEANED
from newsweave.store.sql import read_snapshot

if TYPE_CHECKING:
    from newsweave.store.sqlite import SQLiteStore

# Per store path: the independent origins per story and the "origins" order, see
# SearchTables._origin_counts; one lock per store path, so one thread counts at a time.
_ORIGINS: dict[str, OriginCounts] = {}
_ORIGINS_LOCKS: dict[str, threading.Lock] = {}
_ORIGINS_LOCK = threading.Lock()
# A pseudo-random value per (x, y) pair, summed over a table's rows: a fingerprint of the
# table's pairs as a multiset (a product of two residues, so no linear combination of
# changes cancels out as a plain sum of ids would). Ids are 64-bit in both backends.
_PAIR_HASH = ("(((({x}) * 40503 + ({y})) % 2147483629) * ((({y}) * 69069 + ({x})) % 2147483587) "
              "% 2147483647)")


@dataclass(slots=True)
class OriginCounts:
    """Independent origins per story as counted at one store state, and what tells
    whether that state's members and origins are still the store's (see
    :meth:`SearchTables._origin_counts`)."""

    key: tuple[int, int]  # (generation, newest story_log entry) when last checked
    below: int  # the newest article id when counted: the articles counted as "old"
    logged: int  # the newest stage_log row when last checked
    fingerprint: tuple[int, ...]  # the old articles' memberships and origins
    counts: dict[int, int]
    live: list[int]  # live stories (merged_into NULL, size > 0), ascending
    order: list[tuple[float, int]]  # (-origins, -id) ascending, every live story
    full: int = 1  # recounts of every story (the first count included)
    partial: int = 0  # recounts of the stories that new articles joined
    reused: int = 0  # store changes that left every count as it was


class OriginOrderTables:
    """The "origins" order's methods (see :class:`newsweave.store.listing.ListingTables`)."""

    _store: SQLiteStore
    _db: sqlite3.Connection

    if TYPE_CHECKING:
        def generation(self) -> int: ...

    def _origin_counts(self, *, wait: bool = True, count: bool = True) -> OriginCounts:
        """Independent origins per story and the "origins" order, shared by the
        connections of this process and brought up to date when the store changed.

        Counting every story's origins reads every member and its origin rows (30 ms
        of CPU at 100k articles), and an ingest changes the store every few seconds,
        mostly with writes that move no member and no origin (cleaning, extraction) or
        that add new articles to a few stories. So at each change (generation or
        story log) the articles counted before (ids up to ``below``) are fingerprinted
        (their memberships and origin rows as multisets, :data:`_PAIR_HASH`: a scan
        without joins, a third of the count's cost): unchanged, only the stories that
        newer articles joined are counted again; changed (a merge, split or repair moved
        an old member, a new article became an old one's origin), every story is. A
        change whose only logged stage is cleaning (which writes no member and no
        origin), with no new article and no story log entry, is not fingerprinted. All
        of it is read in one snapshot of the store. One thread counts at a time; the others
        wait for its result, or, with ``wait`` false, take the counts of the state before
        (unless there are none yet): a recount after a store change then holds up no
        one but the thread that does it. With ``count`` false the counts of the state
        before are taken (unless there are none yet) and no thread counts here.
        """
        path = self._store.path
        with _ORIGINS_LOCK:
            lock = _ORIGINS_LOCKS.setdefault(path, threading.Lock())
        kept = _ORIGINS.get(path)
        if kept is not None and (not count or kept.key == self._origins_key()):
            return kept
        if kept is not None and not lock.acquire(blocking=wait):
            return kept  # another thread is counting: the counts of the state before
        if kept is None:
            lock.acquire()  # nothing counted yet: waited for whatever ``wait`` says
        try:
            with read_snapshot(self._db):  # one state of the store, on either backend
                key = self._origins_key()  # again: another thread may have counted meanwhile
                kept = _ORIGINS.get(path)
                if kept is None or kept.key != key:
                    kept = _ORIGINS[path] = self._recount(kept, key)
                return kept
        finally:
            lock.release()

    def _recount(self, kept: OriginCounts | None, key: tuple[int, int]) -> OriginCounts:
        """The counts at store state ``key``, from those ``kept`` at an earlier one (see
        :meth:`_origin_counts`)."""
        below = int(self._db.execute(
            "SELECT coalesce(max(id), 0) FROM articles").fetchone()[0])
        logged = int(self._db.execute(
            "SELECT coalesce(max(id), 0) FROM stage_log").fetchone()[0])
        if kept is not None and below == kept.below and key[1] == kept.key[1] \
                and self._only_cleaning(kept.logged, logged):
            # cleaning (the first stage) writes no story member and no origin: a
            # re-clean of the store commits every few seconds without a count moving
            return dataclasses.replace(kept, key=key, logged=logged, reused=kept.reused + 1)
        live = [int(r[0]) for r in self._db.execute(
            "SELECT s.id FROM stories s WHERE s.merged_into IS NULL AND s.size > 0 "
            "ORDER BY s.id")]
        if kept is None:
            counts = self._count_origins()
            return OriginCounts(key, below, logged, self._fingerprints(below, below)[1],
                                counts, live, _full_order(counts, live))
        before, now = self._fingerprints(kept.below, below)  # one scan for both
        if before != kept.fingerprint:
            counts = self._count_origins()
            return OriginCounts(key, below, logged, now, counts, live,
                                _full_order(counts, live), full=kept.full + 1,
                                partial=kept.partial, reused=kept.reused)
        # only articles newer than the last count joined stories (or none did)
        joined = [int(r[0]) for r in self._db.execute(
            "SELECT DISTINCT story_id FROM story_members WHERE article_id > ?",
            (kept.below,))]
        counts = {**kept.counts, **self._count_origins(joined)} if joined else kept.counts
        order = (_reordered(kept, counts, live, joined) if joined or live != kept.live
                 else kept.order)
        return OriginCounts(key, below, logged, now, counts, live, order, full=kept.full,
                            partial=kept.partial + bool(joined),
                            reused=kept.reused + (not joined))

    def _only_cleaning(self, since: int, upto: int) -> bool:
        """Whether the stage log rows after ``since`` (up to ``upto``) are all the
        cleaning stage's, and there is one at least (a store change without a logged
        stage is not known to be one)."""
        stages = {str(r[0]) for r in self._db.execute(
            "SELECT DISTINCT stage FROM stage_log WHERE id > ? AND id <= ?", (since, upto))}
        return stages == {CLEANED[0]}

    def _origins_key(self) -> tuple[int, int]:
        """The stage results and the user's merges and splits (logged in story_log)."""
        return self.generation(), int(self._db.execute(
            "SELECT coalesce(max(seq), 0) FROM story_log").fetchone()[0])

    def _fingerprints(self, before: int, below: int) -> tuple[tuple[int, ...], ...]:
        """The memberships and origin rows of the articles up to id ``before`` and up to
        id ``below`` (one scan of each table): counts and sums of :data:`_PAIR_HASH` (a
        move, a new or a removed row changes them)."""
        found: list[int] = []
        for table, x in (("story_members", "story_id"), ("article_origin", "origin_id")):
            pair = _PAIR_HASH.format(x=x, y="article_id")
            row = self._db.execute(
                f"SELECT coalesce(sum(CASE WHEN article_id <= ? THEN 1 ELSE 0 END), 0), "
                f"coalesce(sum(CASE WHEN article_id <= ? THEN {pair} ELSE 0 END), 0), "
                f"count(*), coalesce(sum({pair}), 0) FROM {table} WHERE article_id <= ?",
                (before, before, below)).fetchone()
            found += [int(v) for v in row]
        return ((before, found[0], found[1], found[4], found[5]),
                (below, found[2], found[3], found[6], found[7]))

    def _count_origins(self, stories: Sequence[int] | None = None) -> dict[int, int]:
        """Independent origins of these stories (every story's when None): an article
        the reuse stage linked to none is its own origin."""
        sql = ("SELECT m.story_id, count(DISTINCT coalesce(o.origin_id, m.article_id)) "
               "FROM story_members m LEFT JOIN article_origin o ON o.article_id = m.article_id ")
        if stories is None:
            return {int(r[0]): int(r[1]) for r in self._db.execute(sql + "GROUP BY m.story_id")}
        counts: dict[int, int] = {}
        for start in range(0, len(stories), 500):
            chunk = list(stories[start : start + 500])
            marks = ",".join("?" * len(chunk))
            counts.update((int(r[0]), int(r[1])) for r in self._db.execute(
                sql + f"WHERE m.story_id IN ({marks}) GROUP BY m.story_id", chunk))
        return counts


def _full_order(counts: dict[int, int], live: list[int]) -> list[tuple[float, int]]:
    """The "origins" order of the ``live`` stories: (-origins, -id) ascending (a story
    without a count has one origin)."""
    return sorted((-float(counts.get(i, 1)), -i) for i in live)


def _reordered(kept: OriginCounts, counts: dict[int, int], live: list[int],
               changed: Sequence[int]) -> list[tuple[float, int]]:
    """The "origins" order after a few stories' counts or liveness changed: their old
    entries taken out and their new ones put in (a full sort when many changed)."""
    was, now = set(kept.live), set(live)
    moved = (set(changed) | (was ^ now))
    if len(moved) * 20 > len(live):
        return _full_order(counts, live)
    order = list(kept.order)
    for story in moved & was:
        entry = (-float(kept.counts.get(story, 1)), -story)
        at = bisect.bisect_left(order, entry)
        if at < len(order) and order[at] == entry:
            del order[at]
    for story in moved & now:
        bisect.insort(order, (-float(counts.get(story, 1)), -story))
    return order
