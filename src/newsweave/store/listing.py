"""Reader queries of the store behind the lists: the story catalogue (its sorts, filters
and the "origins" order kept per store state), the article list, and the change counters
that tell a cached list or view whether it is still the store's.

:class:`ListingTables` is the listing half of :class:`~newsweave.store.search.SearchTables`
(``store.search``); the search half stays there.
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import itertools
import mmap
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from newsweave.store.progress import CLEANED

if TYPE_CHECKING:
    from newsweave.store.sqlite import SQLiteStore

# Per store path: the independent origins per story and the "origins" order, see
# SearchTables._origin_counts; one lock per store path, so one thread counts at a time.
_ORIGINS: dict[str, OriginCounts] = {}
_ORIGINS_LOCKS: dict[str, threading.Lock] = {}
_ORIGINS_LOCK = threading.Lock()
# Per store path: the stories with a member of an outlet or a language, or mentioning an
# entity, each as of the store state it was last read at (see SearchTables._filtered),
# shared by every page, sort and size of the story list that filters by it; at most
# FILTERS_KEPT filters.
_FILTERS: dict[str, dict[tuple[str, object], tuple[tuple[int, int], frozenset[int]]]] = {}
FILTERS_KEPT = 256
# Per store path: the story list's state (see SearchTables.story_listing_state) as last
# seen: (listing_state then, the story list's state then, the newest stage_log row then).
_STORY_STATES: dict[str, tuple[tuple[int, int, int], tuple[int, int, int], int]] = {}
# The fields of an article the article list shows (and exports).
LISTED = ("id", "title", "outlet", "published", "language", "url", "author", "outlet_how",
          "published_how")
# A pseudo-random value per (x, y) pair, summed over a table's rows: a fingerprint of the
# table's pairs as a multiset (a product of two residues, so no linear combination of
# changes cancels out as a plain sum of ids would). Ids are 64-bit in both backends.
_PAIR_HASH = ("(((({x}) * 40503 + ({y})) % 2147483629) * ((({y}) * 69069 + ({x})) % 2147483587) "
              "% 2147483647)")


@dataclass(slots=True)
class StoryFilter:
    outlet: str | None = None
    language: str | None = None
    entity: int | None = None
    since: date | None = None
    until: date | None = None


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


class ListingTables:
    """Listing SQL on a :class:`SQLiteStore`."""

    def __init__(self, store: SQLiteStore) -> None:
        self._store = store
        # whether the last "origins" page walked the order of an earlier store state
        # (another thread was bringing it up to date: see story_page), or the last page
        # filtered by member walked a filter's stories of an earlier one (see _filtered)
        self.stale_order = False
        # Who brings the "origins" order up to date after a store change (story_page):
        # "try": this connection's thread, unless another is counting (the order counted
        # before is walked meanwhile); "wait": this thread, or it waits for the one
        # counting; "leave": the order counted before is walked and the count left to
        # another thread (the web server's list refill thread, which waits); with
        # "leave" a filter's stories read at an earlier state are used too. The first
        # count of a process is waited for whatever this says.
        self.recount = "try"
        # the store's WAL index header (None: not looked for yet; False: not available,
        # another backend or no WAL) and the header with the listing state read after it
        self._wal: _WalHeader | bool | None = None
        self._wal_seen: tuple[bytes, tuple[int, int, int]] | None = None

    @property
    def _db(self) -> sqlite3.Connection:
        return self._store._db

    def article_page(self, after: int, limit: int, *, outlet: str | None = None,
                     language: str | None = None) -> list[int]:
        """Article ids above ``after``, ascending (keyset paging of the article list)."""
        return [int(r[0]) for r in self._article_window(("id",), after, limit, outlet,
                                                         language)]

    def article_rows(self, after: int, limit: int, *, outlet: str | None = None,
                     language: str | None = None) -> list[dict[str, Any]]:
        """A page of the article list as :meth:`article_page` pages it, each article's
        listed fields only (:data:`LISTED`): not its text, raw input or removals, which
        a whole article record reads."""
        return [dict(zip(LISTED, row, strict=True))
                for row in self._article_window(LISTED, after, limit, outlet, language)]

    def _article_window(self, columns: Sequence[str], after: int, limit: int,
                        outlet: str | None, language: str | None) -> list[tuple[Any, ...]]:
        """``columns`` of the articles above ``after`` passing the filters, by id."""
        where, params = ["id > ?"], [after]
        for column, value in (("outlet", outlet), ("language", language)):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        return self._db.execute(
            f"SELECT {', '.join(columns)} FROM articles WHERE {' AND '.join(where)} "
            f"ORDER BY id LIMIT ?", [*params, limit]).fetchall()

    def entity_articles(self, entity_id: int) -> list[int]:
        """Ids of the articles mentioning a canonical entity."""
        rows = self._db.execute(
            "SELECT article_id FROM entity_articles WHERE entity_id = ? ORDER BY article_id",
            (entity_id,))
        return [int(r[0]) for r in rows]

    def generation(self) -> int:
        """A number that grows whenever any stage writes results: cached views derived
        from analysis (a story's brief) are valid while it is unchanged."""
        row = self._db.execute(
            "SELECT (SELECT coalesce(max(rowid), 0) FROM stage_runs) * 1000003 "
            "+ (SELECT coalesce(max(id), 0) FROM articles)").fetchone()
        return int(row[0])

    def listing_state(self) -> tuple[int, int, int]:
        """Changes whenever what the story and article lists show can change: a stage's
        result written (stories created, grown, renamed), an article stored, a merge,
        split or repair logged. Three primary-key maxima: microseconds; on SQLite, not
        asked again while no transaction has committed since (see :class:`_WalHeader`)."""
        # in_transaction first: on a closed connection it raises, before the header (the
        # index file's size is kept only while a connection has it open) is read
        wal = self._wal if isinstance(self._wal, _WalHeader) \
            and not self._db.in_transaction else None
        header = wal.read() if wal is not None else None
        if header is not None and self._wal_seen is not None and self._wal_seen[0] == header:
            return self._wal_seen[1]
        row = self._db.execute(
            "SELECT (SELECT coalesce(max(rowid), 0) FROM stage_runs), "
            "(SELECT coalesce(max(id), 0) FROM articles), "
            "(SELECT coalesce(max(seq), 0) FROM story_log)").fetchone()
        state = int(row[0]), int(row[1]), int(row[2])
        if self._wal is None:  # after the first read: this connection has the index open
            self._wal = _WalHeader.open(self._db, self._store.path) or False
        if header is not None:
            self._wal_seen = (header, state)
        return state

    def story_listing_state(self) -> tuple[int, int, int]:
        """As :meth:`listing_state`, for the story list: a change that only stored
        articles or cleaned articles that are no story's member leaves it as it was (a
        new article joins a story at the stories stage's commit, logged itself). So an
        ingest's commits (the articles and their cleaning, then reuse, stories,
        extraction) change the story list's pages at three of them, not four. Cleaning
        a member again (a revision: its title and date may change) is a change."""
        raw = self.listing_state()
        path = self._store.path
        with _ORIGINS_LOCK:
            seen = _STORY_STATES.get(path)
        if seen is not None and seen[0] == raw:
            return seen[1]
        logged = int(self._db.execute(
            "SELECT coalesce(max(id), 0) FROM stage_log").fetchone()[0])
        state = raw
        if seen is not None and raw[2] == seen[0][2] and (logged > seen[2]
                                                           or raw[0] == seen[0][0]):
            row = self._db.execute(
                "SELECT coalesce(sum(CASE WHEN l.stage = ? THEN 0 ELSE 1 END), 0), "
                "count(m.article_id) FROM stage_log l LEFT JOIN story_members m "
                "ON m.article_id = l.article_id WHERE l.id > ? AND l.id <= ?",
                (CLEANED[0], seen[2], logged)).fetchone()
            if int(row[0]) == 0 and int(row[1]) == 0:  # cleaning of non-members only
                state = seen[1]
        with _ORIGINS_LOCK:
            _STORY_STATES[path] = (raw, state, logged)
        return state

    def story_generation(self, story_id: int, stages: Sequence[str]) -> int:
        """A number that changes when what a view of one story is computed from changes:
        its record (title, size), its members, and any stage's results for a member (a
        stage re-run on one gets a new ``stage_runs`` row). An ingest that touches other
        stories leaves it as it was, so a cached brief of this story stays valid."""
        row = self._db.execute("SELECT size, title, updated_at FROM stories WHERE id = ?",
                               (story_id,)).fetchone()
        parts: list[object] = [story_id, *(tuple(row) if row else ())]
        parts += [int(r[0]) for r in self._db.execute(
            "SELECT article_id FROM story_members WHERE story_id = ? ORDER BY article_id",
            (story_id,))]
        for stage in stages:  # one primary-key range per stage, not a scan of stage_runs
            found = self._db.execute(
                "SELECT coalesce(max(r.rowid), 0) FROM story_members m CROSS JOIN stage_runs r "
                "ON r.stage = ? AND r.article_id = m.article_id WHERE m.story_id = ?",
                (stage, story_id)).fetchone()
            parts += [stage, int(found[0])]
        digest = hashlib.sha256(repr(parts).encode()).digest()
        return int.from_bytes(digest[:8], "big") >> 1

    # -- the story catalogue --------------------------------------------------

    def story_page(self, sort: str, filters: StoryFilter, after: tuple[float, int] | None,
                   limit: int) -> list[tuple[int, float]]:
        """Live story ids with their sort key, best first, after the keyset ``after``.

        ``sort``: "newest" (last day seen), "largest" (articles) or "origins"
        (independent origins: an article the reuse stage linked to none is its own).
        """
        if sort == "newest":
            key = "coalesce(s.last_day, 0)"
        elif sort == "largest":
            key = "s.size"
        elif sort == "origins":
            key = "0"  # counted once per store generation, below
        else:
            raise ValueError(f"unknown sort {sort!r}")
        where = ["s.merged_into IS NULL", "s.size > 0"]
        params: list[object] = []
        if filters.since is not None:
            where.append("s.last_day >= ?")
            params.append(filters.since.toordinal())
        if filters.until is not None:
            where.append("s.first_day <= ?")
            params.append(filters.until.toordinal())
        # the stories with a member of the outlet, of the language, or mentioning the
        # entity: read once per store state for every page that filters by them
        self.stale_order = False
        members = self._filtered(filters)
        if sort == "origins":
            # while another thread brings the order up to date after a store change, the
            # order counted before is walked (stale_order says so) rather than waited for
            kept = self._origin_counts(wait=self.recount == "wait",
                                       count=self.recount != "leave")
            self.stale_order |= kept.key != self._origins_key()
            order = kept.order
            # the order holds every live story: a filter's stories are read (from the
            # covering index stories_by_size where the filter is a date range); with none,
            # the order is the page
            ids = self._dated(where, params) if params else None
            if members is not None:
                ids = members if ids is None else ids & members
            start = 0 if after is None else bisect.bisect_right(
                order, (-after[0], -after[1]))
            found: list[tuple[int, float]] = []
            for negative, story in itertools.islice(order, start, None):
                if ids is None or -story in ids:
                    found.append((-story, -negative))
                    if len(found) >= limit:
                        break
            return found
        if after is not None:  # keyset: read in the covering index stories_by_size or _by_day
            where.append(f"({key}, s.id) < (?, ?)")
            params += [after[0], after[1]]
        sql = (f"SELECT s.id, {key} FROM stories s WHERE {' AND '.join(where)} "
               f"ORDER BY {key} DESC, s.id DESC")
        if members is None:
            return [(int(r[0]), float(r[1]))
                    for r in self._db.execute(sql + " LIMIT ?", [*params, limit])]
        # the covering index walked in order, the filter's stories kept
        listed: list[tuple[int, float]] = []
        for r in self._db.execute(sql, params):
            if int(r[0]) in members:
                listed.append((int(r[0]), float(r[1])))
                if len(listed) >= limit:
                    break
        return listed

    def _filtered(self, filters: StoryFilter) -> frozenset[int] | None:
        """The stories that pass the filters by member (an outlet, a language, an entity;
        None when there is none): each filter's stories are read once per store state
        and shared by every page, sort and size asking for them (reading an outlet's
        stories took 7-9 ms at 100k articles, for each page computed). With ``recount``
        "leave" a filter's stories read at an earlier state are used as they are and the
        page says so (``stale_order``): the thread refilling it reads them again."""
        wanted = [(name, value) for name, value in (
            ("outlet", filters.outlet), ("language", filters.language),
            ("entity", filters.entity)) if value is not None and value != ""]
        if not wanted:
            return None
        path, state = self._store.path, self._origins_key()
        found: frozenset[int] | None = None
        for item in wanted:
            with _ORIGINS_LOCK:
                kept = _FILTERS.setdefault(path, {})
                entry = kept.get(item)
            if entry is not None and entry[0] != state and self.recount == "leave":
                self.stale_order = True  # read again by the thread that refills the page
            elif entry is None or entry[0] != state:
                entry = (state, self._filter_stories(*item))
                with _ORIGINS_LOCK:
                    if item in kept or len(kept) < FILTERS_KEPT:
                        kept[item] = entry
            found = entry[1] if found is None else found & entry[1]
        return found

    def _dated(self, where: list[str], params: list[object]) -> frozenset[int]:
        """The live stories in a date range (the "origins" order holds every live story):
        read once per store state, as a filter's stories are (reading them took 4 ms
        at 100k articles, for each page of the order computed with a date range)."""
        path, state, item = self._store.path, self._origins_key(), ("dates", tuple(params))
        with _ORIGINS_LOCK:
            kept = _FILTERS.setdefault(path, {})
            entry = kept.get(item)
        if entry is None or entry[0] != state:
            entry = (state, frozenset(int(r[0]) for r in self._db.execute(
                f"SELECT s.id FROM stories s WHERE {' AND '.join(where)}", params)))
            with _ORIGINS_LOCK:
                if item in kept or len(kept) < FILTERS_KEPT:
                    kept[item] = entry
        return entry[1]

    def _filter_stories(self, name: str, value: object) -> frozenset[int]:
        """The stories with a member of this outlet or language, or one mentioning this
        entity (merged and empty ones included: the pages' queries leave them out)."""
        if name == "entity":
            sql = ("SELECT DISTINCT m.story_id FROM entity_articles e JOIN story_members m "
                   "ON m.article_id = e.article_id WHERE e.entity_id = ?")
        elif name in ("outlet", "language"):
            sql = (f"SELECT DISTINCT m.story_id FROM articles a JOIN story_members m "
                   f"ON m.article_id = a.id WHERE a.{name} = ?")
        else:
            raise ValueError(f"no story filter {name!r}")
        return frozenset(int(r[0]) for r in self._db.execute(sql, (value,)))

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
            with self._snapshot():
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

    @contextmanager
    def _snapshot(self) -> Iterator[None]:
        """The reads inside see one state of the store (one read transaction), unless the
        connection is in a transaction already (which is one state)."""
        if self._db.in_transaction:
            yield
            return
        self._db.execute("BEGIN")
        try:
            yield
        finally:
            self._db.execute("COMMIT")

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

    def facet_values(self, column: str, limit: int = 50) -> list[tuple[str, int]]:
        """The most frequent outlets or languages, for the filter menus."""
        if column not in ("outlet", "language"):
            raise ValueError(f"no facet {column!r}")
        rows = self._db.execute(
            f"SELECT {column}, count(*) AS n FROM articles WHERE {column} IS NOT NULL "
            f"GROUP BY {column} ORDER BY n DESC, {column} LIMIT ?", (limit,))
        return [(str(r[0]), int(r[1])) for r in rows]


class _WalHeader:
    """The header of an SQLite store's WAL index (the first 96 bytes of its ``-shm``
    file, two copies of the header; https://www.sqlite.org/walformat.html), read from
    memory. Every write transaction's commit changes it (the frame count and a change
    counter; a checkpoint's restart of the WAL, its salts) before a reader can see the
    commit. So when it is as it was before a listing state was read, no transaction has
    committed since and that state is still the store's: the state's SQL, whose wait to
    get the interpreter lock back after it was most of the lists' tail on a busy server,
    is not run again. A memory read releases no lock and costs no system call. The file
    is kept at its size while a connection has it open (SQLite truncates it only when a
    connection opens a store nobody has open), and this reader's connection has.
    """

    SIZE = 96

    def __init__(self, file: Any, view: mmap.mmap) -> None:
        self._file, self._view = file, view

    @classmethod
    def open(cls, db: Any, path: str) -> _WalHeader | None:
        """The header of the store at ``path`` open on ``db``; None when not available
        (another backend, an in-memory store, not in WAL mode, no index file)."""
        if not isinstance(db, sqlite3.Connection) or not path or path == ":memory:":
            return None
        file = None
        try:
            if str(db.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                return None
            file = open(f"{path}-shm", "rb")  # noqa: SIM115 (kept open with the view)
            if os.fstat(file.fileno()).st_size < cls.SIZE:
                file.close()
                return None
            return cls(file, mmap.mmap(file.fileno(), cls.SIZE, access=mmap.ACCESS_READ))
        except (OSError, ValueError, sqlite3.Error):
            if file is not None:
                file.close()
            return None

    def read(self) -> bytes:
        return self._view[: self.SIZE]


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
