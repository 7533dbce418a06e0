"""SQL of the stories stage: story records, membership, merge log, incremental state.

Tables (migration "stories" in :mod:`newsweave.store.migrations`):

- ``story_features``: each article's hashed feature counts (packed vectors),
  name labels and publication day; ``story_df`` plain counters by key, which the
  stories stage keeps as document frequencies (:mod:`newsweave.stories.frequencies`),
  so IDF needs no pass over the store. The store adds to them; it does not decide
  what they count. A batch's changes to the feature keys' counters go first to
  ``story_df_pending`` (one row a batch, the keys and changes packed), and are folded
  into ``story_df`` once :data:`FOLD_KEYS` keys are pending: a counter is its
  ``story_df`` value plus its pending changes.
- ``stories``: one row per story id ever issued; ``merged_into`` points a
  merged id at its survivor. ``centroid``/``names``/``dates`` are the summed
  member vectors used for online assignment.
- ``story_members``: article -> story (one story per article).
- ``story_keys``: inverted index from a story's heaviest feature keys to the
  story, so a new article finds candidate stories with one indexed lookup.
- ``story_log``: what merged into what, what split off, when.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import (
    ItemsView,
    Iterable,
    Iterator,
    KeysView,
    Mapping,
    Sequence,
    ValuesView,
)
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

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


class StoredLabels(Mapping[int, str]):
    """An article's name labels as stored (JSON), decoded on first use: weighing reads the
    feature rows of every article repair looks at, and only title and entity choices read
    their labels (decoding them all was ~3 % of the stage)."""

    __slots__ = ("_decoded", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._decoded: dict[int, str] | None = None

    def _labels(self) -> dict[int, str]:
        if self._decoded is None:
            self._decoded = {int(k): v for k, v in json.loads(self._text).items()}
        return self._decoded

    def __getitem__(self, key: int) -> str:
        return self._labels()[key]

    def __iter__(self) -> Iterator[int]:
        return iter(self._labels())

    def __len__(self) -> int:
        return len(self._labels())

    def __repr__(self) -> str:
        return repr(self._labels())

    # The dict's own views and get (in C), not Mapping's (a Python call per item).
    def items(self) -> ItemsView[int, str]:
        return self._labels().items()

    def keys(self) -> KeysView[int]:
        return self._labels().keys()

    def values(self) -> ValuesView[str]:
        return self._labels().values()

    def get(self, key: int, default: Any = None) -> Any:
        return self._labels().get(key, default)


class StoredEntities(Sequence[str]):
    """A story's top entities as stored (JSON), decoded on first use: assignment reads the
    rows of ~25 candidate stories an article and never their entities (decoding them was
    ~1 % of the stage); a row saved again writes the stored text back as it was."""

    __slots__ = ("_decoded", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._decoded: list[str] | None = None

    def _entities(self) -> list[str]:
        if self._decoded is None:
            self._decoded = json.loads(self.text)
        return self._decoded

    def __getitem__(self, index: Any) -> Any:
        return self._entities()[index]

    def __len__(self) -> int:
        return len(self._entities())

    def __iter__(self) -> Iterator[str]:
        return iter(self._entities())

    def __eq__(self, other: object) -> bool:
        return list(self) == (list(other) if isinstance(other, StoredEntities) else other)

    def __repr__(self) -> str:
        return repr(self._entities())


def _entities_json(entities: Sequence[str]) -> str:
    if isinstance(entities, StoredEntities):
        return entities.text  # as read: json.dumps of the same list
    return json.dumps(list(entities), ensure_ascii=False)


@dataclass(slots=True)
class FeatureRow:
    article_id: int
    terms: bytes
    names: bytes
    dates: bytes
    labels: Mapping[int, str]
    day: int | None
    title: str


@dataclass(slots=True)
class StoryRow:
    id: int
    size: int
    title: str
    centroid: bytes
    names: bytes
    dates: bytes
    first_day: int | None
    last_day: int | None
    entities: Sequence[str] = field(default_factory=list)
    merged_into: int | None = None


class StoryTables(Protocol):
    """What the stories stage and the engine need from the store."""

    def save_features(self, rows: Sequence[FeatureRow]) -> None:
        """Store feature rows, replacing the articles' earlier ones (counters untouched)."""

    def add_counts(self, delta: Mapping[int, int]) -> None:
        """Add ``delta`` (counter key -> change) to the stored counters: one per feature
        key (articles holding it) and :data:`DOCUMENTS` (articles counted). What to count
        is the stories stage's business (:mod:`newsweave.stories.frequencies`)."""
        ...

    def features(self, article_ids: Iterable[int]) -> dict[int, FeatureRow]: ...

    def document_frequencies(self, keys: Iterable[int]) -> dict[int, int]: ...

    def frequency_list(self, keys: Sequence[int]) -> list[int]: ...

    def frequency_array(self, keys: np.ndarray) -> np.ndarray: ...

    def document_count(self) -> int: ...

    def candidates(self, keys: Sequence[int], limit: int) -> list[int]: ...

    def stories_by_id(self, story_ids: Iterable[int]) -> dict[int, StoryRow]: ...

    def new_story(self, row: StoryRow) -> int: ...

    def update_story(self, row: StoryRow, keys: Sequence[int]) -> None: ...

    def update_stories(self, updates: Sequence[tuple[StoryRow, Sequence[int]]]) -> None: ...

    def merge_story(self, story_id: int, into: int) -> None: ...

    def set_members(self, story_id: int, article_ids: Iterable[int]) -> None: ...

    def set_memberships(self, pairs: Iterable[tuple[int, int]]) -> None: ...

    def story_of(self, article_ids: Iterable[int]) -> dict[int, int]: ...

    def members(self, story_ids: Iterable[int]) -> dict[int, list[int]]: ...

    def active_story_ids(self) -> list[int]: ...

    def active_among(self, story_ids: Iterable[int]) -> list[int]: ...

    def resolve(self, story_id: int) -> int | None: ...

    def summaries(self, story_ids: Sequence[int]) -> dict[int, dict[str, Any]]: ...

    def log(
        self, action: str, story_id: int, other_id: int | None,
        articles: Sequence[int] | Mapping[str, Sequence[int]],
    ) -> None: ...

    def history(self, story_id: int | None = None) -> list[dict[str, Any]]: ...

    def user_decisions(self) -> list[dict[str, Any]]: ...


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


class StoriesTables:
    """The stories stage's SQL, on the store's connection (and inside its transactions)."""

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

    # -- features and document frequencies -----------------------------------

    def save_features(self, rows: Sequence[FeatureRow]) -> None:
        with self._store.transaction() as db:
            # The document counter is created (from a count of the rows) before rows change,
            # so that the count does not already include the rows the caller is adding.
            self.document_count()
            for chunk in chunks([r.article_id for r in rows]):
                marks = ",".join("?" * len(chunk))
                db.execute(f"DELETE FROM story_features WHERE article_id IN ({marks})", chunk)
            db.executemany(
                "INSERT INTO story_features (article_id, terms, names, dates, labels, day, title) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (r.article_id, r.terms, r.names, r.dates,
                     json.dumps({str(k): v for k, v in r.labels.items()}, ensure_ascii=False),
                     r.day, r.title)
                    for r in rows
                ],
            )

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

    def features(self, article_ids: Iterable[int]) -> dict[int, FeatureRow]:
        found: dict[int, FeatureRow] = {}
        for chunk in chunks(list(article_ids)):
            marks = ",".join("?" * len(chunk))
            for row in self._db.execute(
                f"SELECT article_id, terms, names, dates, labels, day, title FROM story_features "
                f"WHERE article_id IN ({marks})", chunk
            ):
                found[int(row[0])] = FeatureRow(
                    int(row[0]), row[1], row[2], row[3], StoredLabels(row[4]), row[5],
                    row[6] or "",
                )
        return found

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

    # -- stories ----------------------------------------------------------------

    def candidates(self, keys: Sequence[int], limit: int) -> list[int]:
        """Live stories sharing the most of ``keys`` in their index, best first."""
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        rows = self._db.execute(
            f"SELECT story_id, count(*) AS hits FROM story_keys WHERE key IN ({marks}) "
            f"GROUP BY story_id ORDER BY hits DESC, story_id LIMIT ?",
            (*keys, limit),
        )
        return [int(r[0]) for r in rows]

    def stories_by_id(self, story_ids: Iterable[int]) -> dict[int, StoryRow]:
        found: dict[int, StoryRow] = {}
        for chunk in chunks(list(story_ids)):
            marks = ",".join("?" * len(chunk))
            for row in self._db.execute(
                f"SELECT id, size, title, centroid, names, dates, first_day, last_day, entities, "
                f"merged_into FROM stories WHERE id IN ({marks})", chunk
            ):
                found[int(row[0])] = StoryRow(
                    int(row[0]), int(row[1]), row[2], row[3], row[4], row[5], row[6], row[7],
                    StoredEntities(row[8]), row[9],
                )
        return found

    def new_story(self, row: StoryRow) -> int:
        now = _now()
        with self._store.transaction() as db:
            cursor = db.execute(
                "INSERT INTO stories (size, title, centroid, names, dates, first_day, last_day, "
                "entities, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (row.size, row.title, row.centroid, row.names, row.dates, row.first_day,
                 row.last_day, _entities_json(row.entities), now, now),
            )
        return int(cursor.lastrowid or 0)

    def update_story(self, row: StoryRow, keys: Sequence[int]) -> None:
        self.update_stories([(row, keys)])

    def update_stories(self, updates: Sequence[tuple[StoryRow, Sequence[int]]]) -> None:
        """:meth:`update_story` of many stories (each row with its index keys), in a few
        statements for all of them: a batch of articles changes a hundred stories."""
        if not updates:
            return
        now = _now()
        with self._store.transaction() as db:
            db.executemany(
                "UPDATE stories SET size = ?, title = ?, centroid = ?, names = ?, dates = ?, "
                "first_day = ?, last_day = ?, entities = ?, updated_at = ? WHERE id = ?",
                [(row.size, row.title, row.centroid, row.names, row.dates, row.first_day,
                  row.last_day, _entities_json(row.entities), now, row.id)
                 for row, _ in updates],
            )
            # Only the keys that changed: a story's heaviest keys barely move when one
            # article joins, and rewriting all of them was most of the cost of a save.
            old: dict[int, set[int]] = {row.id: set() for row, _ in updates}
            for chunk in chunks(list(old)):
                marks = ",".join("?" * len(chunk))
                for story_id, key in db.execute(
                        f"SELECT story_id, key FROM story_keys WHERE story_id IN ({marks})",
                        chunk):
                    old[int(story_id)].add(int(key))
            gone: list[tuple[int, int]] = []
            added: list[tuple[int, int]] = []
            for row, keys in updates:
                new = set(keys)
                gone.extend((k, row.id) for k in old[row.id] - new)
                added.extend((k, row.id) for k in new - old[row.id])
                old[row.id] = new  # a story given twice: its last keys stand
            db.executemany("DELETE FROM story_keys WHERE key = ? AND story_id = ?", gone)
            db.executemany("INSERT OR IGNORE INTO story_keys (key, story_id) VALUES (?, ?)",
                           added)

    def merge_story(self, story_id: int, into: int) -> None:
        """Retire ``story_id``: it (and every id merged into it) now resolves to ``into``."""
        with self._store.transaction() as db:
            db.execute(
                "UPDATE stories SET merged_into = ?, size = 0, centroid = NULL, names = NULL, "
                "dates = NULL, updated_at = ? WHERE id = ?",
                (into, _now(), story_id),
            )
            db.execute("UPDATE stories SET merged_into = ? WHERE merged_into = ?",
                       (into, story_id))
            db.execute("DELETE FROM story_keys WHERE story_id = ?", (story_id,))

    def set_members(self, story_id: int, article_ids: Iterable[int]) -> None:
        with self._store.transaction() as db:
            db.executemany(
                "INSERT INTO story_members (article_id, story_id) VALUES (?, ?) "
                "ON CONFLICT(article_id) DO UPDATE SET story_id = excluded.story_id",
                [(a, story_id) for a in article_ids],
            )

    def set_memberships(self, pairs: Iterable[tuple[int, int]]) -> None:
        """:meth:`set_members` of many stories at once: ``(article, story)`` pairs."""
        with self._store.transaction() as db:
            db.executemany(
                "INSERT INTO story_members (article_id, story_id) VALUES (?, ?) "
                "ON CONFLICT(article_id) DO UPDATE SET story_id = excluded.story_id",
                list(pairs),
            )

    def story_of(self, article_ids: Iterable[int]) -> dict[int, int]:
        found: dict[int, int] = {}
        for chunk in chunks(list(article_ids)):
            marks = ",".join("?" * len(chunk))
            found.update(
                (int(a), int(s))
                for a, s in self._db.execute(
                    f"SELECT article_id, story_id FROM story_members "
                    f"WHERE article_id IN ({marks})", chunk
                )
            )
        return found

    def members(self, story_ids: Iterable[int]) -> dict[int, list[int]]:
        found: dict[int, list[int]] = {}
        for chunk in chunks(list(story_ids)):
            marks = ",".join("?" * len(chunk))
            for a, s in self._db.execute(
                f"SELECT article_id, story_id FROM story_members WHERE story_id IN ({marks}) "
                f"ORDER BY article_id", chunk
            ):
                found.setdefault(int(s), []).append(int(a))
        return found

    def active_story_ids(self) -> list[int]:
        rows = self._db.execute(
            "SELECT id FROM stories WHERE merged_into IS NULL AND size > 0 ORDER BY id"
        )
        return [int(r[0]) for r in rows]

    def active_among(self, story_ids: Iterable[int]) -> list[int]:
        """Those of ``story_ids`` that are live (not merged away, not empty)."""
        return sorted(s for s, row in self.stories_by_id(story_ids).items()
                      if row.merged_into is None and row.size > 0)

    def resolve(self, story_id: int) -> int | None:
        """The live id for ``story_id`` (itself, or the story it was merged into)."""
        seen: set[int] = set()
        current = story_id
        while current not in seen:
            seen.add(current)
            row = self._db.execute(
                "SELECT merged_into FROM stories WHERE id = ?", (current,)
            ).fetchone()
            if row is None:
                return None
            if row[0] is None:
                return current
            current = int(row[0])
        return None

    def summaries(self, story_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """Per story: title, entities, member ids, outlets, first/last published."""
        stories = self.stories_by_id(story_ids)
        found: dict[int, dict[str, Any]] = {
            s: {"title": row.title, "entities": row.entities, "articles": [], "outlets": [],
                "published": []}
            for s, row in stories.items()
        }
        for chunk in chunks(list(story_ids)):
            marks = ",".join("?" * len(chunk))
            for story_id, article_id, outlet, published in self._db.execute(
                f"SELECT m.story_id, a.id, a.outlet, a.published FROM story_members m "
                f"JOIN articles a ON a.id = m.article_id WHERE m.story_id IN ({marks}) "
                f"ORDER BY a.id", chunk
            ):
                entry = found.get(int(story_id))
                if entry is None:
                    continue
                entry["articles"].append(int(article_id))
                if outlet and outlet not in entry["outlets"]:
                    entry["outlets"].append(outlet)
                if published:
                    entry["published"].append(published)
        return found

    # -- merge log --------------------------------------------------------------

    def log(
        self, action: str, story_id: int, other_id: int | None,
        articles: Sequence[int] | Mapping[str, Sequence[int]],
    ) -> None:
        """Record a merge or split; ``articles``: the ids involved (a user's split gives
        ``{"moved": [...], "kept": [...]}``)."""
        shown = ({k: list(v) for k, v in articles.items()} if isinstance(articles, Mapping)
                 else list(articles))
        with self._store.transaction() as db:
            db.execute(
                "INSERT INTO story_log (action, story_id, other_id, articles, at) "
                "VALUES (?, ?, ?, ?, ?)",
                (action, story_id, other_id, json.dumps(shown), _now()),
            )

    def user_decisions(self) -> list[dict[str, Any]]:
        """The log entries a user made (``user-merge``, ``user-split``), oldest first."""
        return [
            {"seq": r[0], "action": r[1], "story": r[2], "other": r[3],
             "articles": json.loads(r[4]), "at": r[5]}
            for r in self._db.execute(
                "SELECT seq, action, story_id, other_id, articles, at FROM story_log "
                "WHERE action LIKE 'user-%' ORDER BY seq")
        ]

    def history(self, story_id: int | None = None) -> list[dict[str, Any]]:
        sql = "SELECT seq, action, story_id, other_id, articles, at FROM story_log"
        params: tuple[int, ...] = ()
        if story_id is not None:
            sql += " WHERE story_id = ? OR other_id = ?"
            params = (story_id, story_id)
        return [
            {"seq": r[0], "action": r[1], "story": r[2], "other": r[3],
             "articles": json.loads(r[4]), "at": r[5]}
            for r in self._db.execute(sql + " ORDER BY seq", params)
        ]



def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
