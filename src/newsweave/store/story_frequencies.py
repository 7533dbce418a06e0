"""The document frequencies of the stories stage's feature keys: ``story_df`` counters,
changes pending in ``story_df_pending`` until :data:`FOLD_KEYS` keys are, and a bounded
cache in memory (:class:`FrequencyCache`) trusted while the :data:`GENERATION` token is
unchanged. :class:`newsweave.store.stories.StoriesTables` inherits
:class:`StoryFrequencies`.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from newsweave.store.sql import chunks

DOCUMENTS = -1  # story_df key of the document count (feature keys are crc32 values, >= 0)
# story_df key of a random token rewritten whenever frequencies are written: a cached
# frequency is trusted only while the token is the one the cache last saw.
GENERATION = -2
# Frequencies kept in memory (FrequencyCache: 16 bytes a key, ~5 MB when full); past it the
# half least recently looked up goes. Weighing a growing store's articles touches ~200,000
# distinct keys every few thousand articles (a cap of 100,000 read 5 times more from SQLite).
DF_CACHE_KEYS = 300_000
# Keys read into the cache collect in a dict (quick to add to) and are merged into its sorted
# arrays once this many have: a dict costs ~65 bytes a key, the arrays 16.
DF_RECENT_KEYS = 20_000
# Pending counter changes (distinct keys) folded into story_df at once. Each batch's ~10,000
# changed keys are hashes spread over the whole table (1.5 million keys at 100k articles),
# so writing them in place dirtied most of its pages at every batch, and the commit wrote
# them all (~50 ms a batch at 100k). Pending, a batch writes one row; a fold writes the
# table's pages once for many batches. In memory: two arrays of 8 bytes a key (1.6 MB).
FOLD_KEYS = 100_000
FOLD_CHUNK = 10_000
READ_ATTEMPTS = 4  # reads of missing frequencies retried while other processes write
_UPSERT_COUNT = ("INSERT INTO story_df (key, df) VALUES (?, ?) "
                 "ON CONFLICT(key) DO UPDATE SET df = df + excluded.df")


class FrequencyCache:
    """Document frequencies by key, in bounded memory: the bulk as sorted arrays (keys, values
    and when each was last looked up: 16 bytes a key, against ~65 for a dict of Python
    ints, whose memory grew with the store up to the cap), recent additions in a small dict
    merged into the arrays now and then. Past ``limit`` keys, the half least recently
    looked up goes (a dropped key is read again from the store: the cache only decides
    what is read, never what a frequency is).
    """

    __slots__ = ("_clock", "_keys", "_limit", "_recent", "_recent_limit", "_used", "_values")

    def __init__(self, limit: int = 0, recent: int = 0) -> None:
        self._limit = limit
        self._recent_limit = recent
        self.clear()

    def clear(self) -> None:
        self._recent: dict[int, int] = {}
        self._keys = np.zeros(0, dtype=np.int64)
        self._values = np.zeros(0, dtype=np.int32)
        self._used = np.zeros(0, dtype=np.int32)
        self._clock = 0

    def __len__(self) -> int:
        return len(self._recent) + len(self._keys)

    def __contains__(self, key: object) -> bool:
        if key in self._recent:
            return True
        if not isinstance(key, int) or not len(self._keys):
            return False
        at = int(self._keys.searchsorted(key))
        return at < len(self._keys) and int(self._keys[at]) == key

    def lookup(self, keys: Sequence[int]) -> list[int | None]:
        """The cached frequency of each of ``keys`` (None where not cached)."""
        values, hit = self.lookup_array(np.asarray(keys, dtype=np.int64))
        return [v if h else None for v, h in zip(values.tolist(), hit.tolist(), strict=True)]

    def lookup_array(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(frequencies, cached) of ``keys`` (int64): the frequency where ``cached``."""
        self._clock += 1
        values = np.zeros(len(keys), dtype=np.int64)
        if len(self._keys):
            at = self._keys.searchsorted(keys)
            hit = self._keys.take(at, mode="clip") == keys  # past the end: clipped, no hit
            found = at[hit]
            self._used[found] = self._clock
            values[hit] = self._values[found]
        else:
            hit = np.zeros(len(keys), dtype=bool)
        if self._recent and not hit.all():
            rest = np.flatnonzero(~hit)
            got = list(map(self._recent.get, keys[rest].tolist()))
            known = np.fromiter((g is not None for g in got), dtype=bool, count=len(got))
            if known.any():
                values[rest[known]] = [g for g in got if g is not None]
                hit[rest[known]] = True
        return values, hit

    def insert(self, pairs: Iterable[tuple[int, int]]) -> None:
        """Cache (key, frequency) pairs of keys not cached yet."""
        self._recent.update(pairs)
        if len(self._recent) > self._recent_limit:
            self._merge()

    def add(self, changes: Mapping[int, int]) -> None:
        """Add ``changes`` (key -> change) to the frequencies of the keys cached."""
        recent = self._recent
        for k in recent.keys() & changes.keys():  # set operations in C
            recent[k] += changes[k]
        if len(self._keys) and changes:
            keys = np.fromiter(changes.keys(), dtype=np.int64, count=len(changes))
            counts = np.fromiter(changes.values(), dtype=np.int64, count=len(changes))
            at = self._keys.searchsorted(keys)
            hit = self._keys.take(at, mode="clip") == keys
            self._values[at[hit]] += counts[hit].astype(np.int32)  # distinct keys: no repeats

    def _merge(self) -> None:
        """Move the recent additions into the arrays; past the limit, keep the half most
        recently looked up."""
        count = len(self._recent)
        keys = np.concatenate([self._keys, np.fromiter(self._recent.keys(), dtype=np.int64,
                                                       count=count)])
        values = np.concatenate([self._values, np.fromiter(self._recent.values(),
                                                           dtype=np.int32, count=count)])
        used = np.concatenate([self._used, np.full(count, self._clock, dtype=np.int32)])
        self._recent = {}
        if len(keys) > self._limit:
            kept = np.argsort(-used, kind="stable")[:max(self._limit // 2, 1)]
            keys, values, used = keys[kept], values[kept], used[kept]
        order = np.argsort(keys, kind="stable")
        self._keys, self._values, self._used = keys[order], values[order], used[order]


class StoryFrequencies:
    """The document frequencies on the store's connection (and inside its transactions)."""

    def __init__(self, store: Any) -> None:
        self._store = store
        # Document frequencies read or written through this connection. Weighing an
        # article needs the frequency of each of its few hundred keys, and repair weighs
        # the older articles of a neighbourhood again: read from SQLite each time, that was
        # a fifth of the stage's time. Valid while the GENERATION token is unchanged, so a
        # write by another connection, or a rolled-back one of ours, empties it.
        self._df = FrequencyCache(DF_CACHE_KEYS, DF_RECENT_KEYS)
        self._df_token: int | None = None
        # The summed changes of story_df_pending by key (keys ascending, zeros dropped),
        # read with the cache: valid under the same token, since every write of either
        # changes it. Arrays, not a dict: a tenth of the memory (16 bytes a key).
        self._pending_keys = np.zeros(0, dtype=np.int64)
        self._pending_sums = np.zeros(0, dtype=np.int64)

    @property
    def _db(self) -> sqlite3.Connection:
        return self._store._db  # type: ignore[no-any-return]

    def add_counts(self, delta: Mapping[int, int]) -> None:
        with self._store.transaction() as db:
            self.document_count()  # make sure the counter row exists before it moves
            # The cache and the pending changes agree with the tables before all move (we
            # hold the write lock now, so nobody else moves them until we commit).
            self._cached_frequencies()
            self._df_token = random.getrandbits(62)
            db.execute(
                "INSERT INTO story_df (key, df) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET df = excluded.df",
                (GENERATION, self._df_token),
            )
            documents = delta.get(DOCUMENTS, 0)
            if documents:  # one row, read at every run: kept in place
                db.execute("UPDATE story_df SET df = df + ? WHERE key = ?",
                           (documents, DOCUMENTS))
            self._bump(db, {k: d for k, d in delta.items() if k != DOCUMENTS})

    def _bump(self, db: sqlite3.Connection, delta: Mapping[int, int]) -> None:
        """Add ``delta`` (key -> change) to the pending changes, stored and in memory, and
        to the cached frequencies; fold the pending changes when :data:`FOLD_KEYS` keys
        are pending."""
        changes = {k: d for k, d in delta.items() if d}
        if not changes:
            return
        keys = np.fromiter(changes.keys(), dtype="<i8", count=len(changes))
        counts = np.fromiter(changes.values(), dtype="<i8", count=len(changes))
        order = np.argsort(keys)
        db.execute("INSERT INTO story_df_pending (changed_keys, changes) VALUES (?, ?)",
                   (keys[order].tobytes(), counts[order].tobytes()))
        self._df.add(changes)
        self._add_pending([self._pending_keys, keys], [self._pending_sums, counts])
        if len(self._pending_keys) >= FOLD_KEYS:
            self._fold(db)

    def _fold(self, db: sqlite3.Connection) -> None:
        """Add the pending changes to ``story_df`` and empty them (the frequencies, and so
        the cache, stay as they are). In key order: consecutive upserts then land on the
        same B-tree pages (the keys are hashes, spread over the whole table)."""
        keys, sums = self._pending_keys, self._pending_sums
        for start in range(0, len(keys), FOLD_CHUNK):  # Python ints a slice at a time (memory)
            db.executemany(_UPSERT_COUNT, zip(keys[start:start + FOLD_CHUNK].tolist(),
                                              sums[start:start + FOLD_CHUNK].tolist(),
                                              strict=True))
        db.execute("DELETE FROM story_df_pending")
        # A fold may be the table's first 100,000 keys: PostgreSQL's planner must know
        # (a no-op on SQLite).
        self._store.refresh_statistics("story_df")
        self._add_pending([], [])

    def _load_pending(self) -> None:
        """Read the pending changes into memory, summed by key."""
        rows = self._db.execute("SELECT changed_keys, changes FROM story_df_pending").fetchall()
        self._add_pending([np.frombuffer(r[0], dtype="<i8") for r in rows],
                          [np.frombuffer(r[1], dtype="<i8") for r in rows])

    def _add_pending(self, keys: list[np.ndarray], counts: list[np.ndarray]) -> None:
        """Set the pending changes to the sums by key of ``keys`` and ``counts``."""
        if not keys:
            self._pending_keys = np.zeros(0, dtype=np.int64)
            self._pending_sums = np.zeros(0, dtype=np.int64)
            return
        # Sorted arrays joined: a stable sort merges their runs; sums by key in int64.
        joined = np.concatenate(keys).astype(np.int64)
        order = joined.argsort(kind="stable")
        ordered = joined[order]
        first = np.empty(len(ordered), dtype=bool)
        first[:1] = True
        np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
        unique = ordered[first]
        sums = (np.add.reduceat(np.concatenate(counts).astype(np.int64)[order],
                                np.flatnonzero(first)) if len(ordered)
                else np.zeros(0, dtype=np.int64))
        kept = sums != 0  # back to zero (an article saved again): nothing pending
        self._pending_keys, self._pending_sums = unique[kept], sums[kept]

    def _pending_of(self, keys: list[int]) -> list[int]:
        """The pending change of each of ``keys`` (0 for none)."""
        pending = self._pending_keys
        wanted = np.array(keys, dtype=np.int64)
        at = pending.searchsorted(wanted)
        hit = pending.take(at, mode="clip") == wanted  # past the last key: clipped, no hit
        return np.where(hit, self._pending_sums.take(at, mode="clip"), 0).tolist()  # type: ignore[no-any-return]

    def _cached_frequencies(self) -> FrequencyCache:
        """The frequency cache, emptied first if the stored frequencies changed under it.
        A full cache drops its half least recently looked up (:class:`FrequencyCache`):
        emptying it all, as once, sent every article weighed next back to SQLite for each
        of its keys, and a growing store (new names every day) fills it again and again."""
        token = self._token()
        if token is None or token != self._df_token:
            self._df.clear()
            self._df_token = token
            self._load_pending()
        return self._df

    def document_frequencies(self, keys: Iterable[int]) -> dict[int, int]:
        """Articles holding each key (0 for a key no article holds)."""
        wanted = list(set(keys))
        return dict(zip(wanted, self.frequency_list(wanted), strict=True))

    def frequency_list(self, keys: Sequence[int]) -> list[int]:
        """:meth:`document_frequencies` of distinct ``keys``, in their order (the fast path:
        weighing asks for hundreds of thousands of keys a second, mostly cached)."""
        return self.frequency_array(np.asarray(keys, dtype=np.int64)).tolist()  # type: ignore[no-any-return]

    def frequency_array(self, keys: np.ndarray) -> np.ndarray:
        """:meth:`frequency_list` of an array of distinct keys, as an int64 array (weighing
        holds its keys in an array: no lists of Python ints either way)."""
        wanted = np.asarray(keys, dtype=np.int64)
        for attempt in range(READ_ATTEMPTS):
            cache = self._cached_frequencies()
            values, hit = cache.lookup_array(wanted)
            if not hit.all():
                missing = wanted[~hit].tolist()
                read = self._read_missing(missing)
                cache.insert(read.items())
                values[~hit] = [read[k] for k in missing]
                # Outside a write transaction another process may have written or folded
                # between the reads: pending changes of one state beside stored values of
                # another could count a change twice. Every write moves the token, so an
                # unchanged token says all the reads saw one state.
                if self._token() != self._df_token:
                    cache.clear()
                    self._df_token = None  # reload everything on the next attempt
                    if attempt + 1 < READ_ATTEMPTS:
                        continue
            break
        if self._df_token is None:  # no token yet: nothing could tell a stale cache
            cache.clear()
        return values

    def _read_missing(self, missing: list[int]) -> dict[int, int]:
        """The frequencies of ``missing`` (distinct keys) from the store: stored plus pending."""
        read: dict[int, int] = {}
        pending = len(self._pending_keys) > 0
        for chunk in chunks(missing):
            marks = ",".join("?" * len(chunk))
            stored = dict(self._db.execute(
                f"SELECT key, df FROM story_df WHERE key IN ({marks})", chunk
            ).fetchall())
            if pending:
                read.update((k, stored.get(k, 0) + d)
                            for k, d in zip(chunk, self._pending_of(chunk), strict=True))
            else:
                read.update((k, stored.get(k, 0)) for k in chunk)
        return read

    def _token(self) -> int | None:
        row = self._db.execute("SELECT df FROM story_df WHERE key = ?", (GENERATION,)).fetchone()
        return None if row is None else int(row[0])

    def document_count(self) -> int:
        """Articles with features. Kept as a counter row in ``story_df`` (a reserved key no
        feature hashes to), because count(*) scans the table: milliseconds at 100k rows."""
        row = self._db.execute("SELECT df FROM story_df WHERE key = ?", (DOCUMENTS,)).fetchone()
        if row is not None:
            return int(row[0])
        count = int(self._db.execute("SELECT count(*) FROM story_features").fetchone()[0])
        with self._store.transaction() as db:
            db.execute("INSERT INTO story_df (key, df) VALUES (?, ?)", (DOCUMENTS, count))
        return count
