"""The change counters that tell a cached list or view whether it is still the store's:
the stage results' generation, the lists' state (not asked again on SQLite while the WAL
index header says no transaction committed), the story list's and one story's.

A part of :class:`newsweave.store.listing.ListingTables` (its base class), not to be used
on its own: the methods read ``_db``, ``_store`` and the WAL header fields the tables set.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from newsweave.store.origin_order import _ORIGINS_LOCK
from newsweave.store.progress import CLEANED

if TYPE_CHECKING:
    from newsweave.store.sqlite import SQLiteStore

# Per store path: the story list's state (see SearchTables.story_listing_state) as last
# seen: (listing_state then, the story list's state then, the newest stage_log row then).
_STORY_STATES: dict[str, tuple[tuple[int, int, int], tuple[int, int, int], int]] = {}


class ListStateTables:
    """The change counters' methods (see :class:`newsweave.store.listing.ListingTables`)."""

    _store: SQLiteStore
    _db: sqlite3.Connection
    _wal: _WalHeader | bool | None
    _wal_seen: tuple[bytes, tuple[int, int, int]] | None

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
