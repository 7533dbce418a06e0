"""One model's article vectors as files beside the store: a persisted, memory-mapped matrix.

The store's rows (``article_vectors``) stay the source of truth; these files are a cache of
them that a search reads in place instead of copying every vector into memory:

* ``<store>.vectors/<model>.f32``: float32 rows, one per article vector, in the order written;
* ``<store>.vectors/<model>.ids``: a header (dimensions, rows, the position in the store's
  change log, ``vector_changes``, that the files reflect, the store file's inode) and the
  article id of each row (``-1``: a row whose vector was replaced or deleted since).

A refresh applies the change log's entries since that position (any process's writes, whatever
their ids): a changed vector overwrites its row, a new one is appended, a deleted one leaves a
``-1``. Processes sharing the store take a file lock to do that one at a time; the ids file is
replaced atomically after the rows are written, so a crash leaves the old, consistent header
(rows beyond it are ignored, and the changes are applied again). A missing, unreadable or
inconsistent file (another store at that path, a count that disagrees with the rows, a sampled
row that differs from the store's) is rebuilt from the rows, never used. A read-only store, an
in-memory one, or a folder that cannot be written keeps what it reads in memory instead.

From :data:`newsweave.store.vector_lists.MIN_ROWS` live rows on, a refresh of a writable
store also keeps coarse lists of the rows (``<model>.lists``, :mod:`.vector_lists`) in step
with them, under the same lock: built once (the file's rows rewritten in list order, a new
build that other processes map again), new rows folded in as they accumulate, rows
overwritten in place assigned again, rebuilt when the file is rebuilt, when they are corrupt,
or when the store has grown by :data:`newsweave.store.vector_lists.GROWTH` since. A search
that may be approximate reads only the rows they point to.

This module knows rows and files; searching them is the caller's (``reuse/semantic.py``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from newsweave.store import vector_lists
from newsweave.store.vector_lists import VectorLists

if TYPE_CHECKING:
    from newsweave.store import Store

log = logging.getLogger(__name__)

MAGIC = 0x4E57_5645_4331  # "NWVEC1": the layout of the ids file
HEADER = 7  # int64 fields: magic, dim, rows, seq, inode, live, generation
REBUILD_CHUNK = 5000  # rows read from the store at a time while rebuilding
SAMPLES = 4  # rows compared with the store's when a process first opens the files
DEAD_SHARE = 0.25  # rebuild (compact) once this share of the rows is replaced or deleted,
MIN_DEAD = 1000  # and at least this many


class VectorFile:
    """The vectors of ``model`` in ``store``, refreshed from the store's change log.

    ``blocks()`` gives ``(ids, matrix)`` pairs (``ids[i] == -1``: a dead row); a file-backed
    store gives one memory-mapped block, kept in step on disk; a store that cannot keep files
    (read-only, ``:memory:``) gives the file's block, if one is valid, and an in-memory block of
    what changed since.
    """

    def __init__(self, store: Store, model: str) -> None:
        self.model = model
        self._store = store
        self._folder = folder_of(store)
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", model)
        self._matrix_path = self._folder / f"{slug}.f32" if self._folder else None
        self._ids_path = self._folder / f"{slug}.ids" if self._folder else None
        self._lists_path = self._folder / f"{slug}.lists" if self._folder else None
        self._writable = self._folder is not None and not store.readonly
        self._seq = -1  # change-log position these blocks reflect (-1: nothing loaded)
        self._generation = 0  # which build of the files this process has mapped
        self._dim = 0
        self._ids = np.zeros(0, dtype=np.int64)  # the file's block
        self._matrix: np.ndarray = np.zeros((0, 0), dtype=np.float32)
        self._extra_ids = np.zeros(0, dtype=np.int64)  # the in-memory block
        self._extra: np.ndarray = np.zeros((0, 0), dtype=np.float32)
        self._where: dict[int, tuple[int, int]] | None = None  # id -> (block, row)
        self.rebuilt = 0  # how many times this process rebuilt the files (for tests, check)
        # The coarse lists of the file's rows, once the store is large (None: search exactly)
        self.lists: VectorLists | None = None
        self.lists_built = 0  # how many times this process built them (for tests, check)
        self._touched: list[int] = []  # file rows overwritten in place since the lists
        self._lists_warned = False

    # -- reading -------------------------------------------------------------------

    def blocks(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """``(ids, matrix)`` of each block; rows whose id is -1 are dead."""
        out = []
        if len(self._ids):
            out.append((self._ids, self._matrix))
        if len(self._extra_ids):
            out.append((self._extra_ids, self._extra))
        return out

    def refresh(self) -> list[int] | None:
        """Bring the blocks up to the store's change log. Returns the article ids whose vector
        changed since the last refresh, or None when everything was (re)loaded."""
        if self._writable:
            try:
                with self._locked():
                    changed = self._refresh_files()
                    generation = self._generation
                    self._keep_lists()  # may rewrite the rows in list order: all reloaded
                    return changed if generation == self._generation else None
            # A full disk, a lost folder, no file locks on this system: search from memory.
            except (OSError, ImportError) as exc:
                log.warning("vector index %s unusable (%s): kept in memory", self._folder, exc)
                self._writable = False
                self._seq = -1
        return self._refresh_memory()

    # -- file-backed ----------------------------------------------------------------

    def _refresh_files(self) -> list[int] | None:
        assert self._ids_path is not None
        header = _read_header(self._ids_path)
        first = self._seq < 0
        reloaded = False
        if header is None or (header["seq"], header["generation"], header["rows"]) != (
                self._seq, self._generation, len(self._ids)):
            # First look, or another process moved the files on or rebuilt them (under the
            # lock, from the same rows): map them again.
            if header is None or not self._load_files(header):
                self._rebuild()
                return None
            reloaded = True
        seq, changed = self._store.reuse.vector_changes(self.model, self._seq)
        if changed is None or seq < self._seq:  # the log went backwards: another store
            self._rebuild()
            return None
        if changed:
            self._apply(changed)
        if seq != self._seq or changed:
            self._seq = seq
            self._write_ids()
        if first and not self._consistent():  # checked once per process: a count and samples
            self._rebuild()
            return None
        return None if reloaded else changed

    def _load_files(self, header: dict[str, int]) -> bool:
        """Map the files of ``header`` if they belong to this store; False when they don't."""
        assert self._ids_path is not None and self._matrix_path is not None
        if header["inode"] != _inode(self._store) or header["seq"] < 0:
            return False
        if header["seq"] and not self._store.reuse.vector_change_exists(header["seq"]):
            return False
        ids = np.fromfile(self._ids_path, dtype=np.int64, offset=HEADER * 8)
        if len(ids) != header["rows"]:
            return False
        try:
            matrix = self._map(header["rows"], header["dim"])
        except (OSError, ValueError):
            return False
        self._ids, self._matrix, self._dim = ids, matrix, header["dim"]
        self._seq, self._where = header["seq"], None
        self._generation = header["generation"]
        return True

    def _map(self, rows: int, dim: int) -> np.ndarray:
        assert self._matrix_path is not None
        if not rows:
            return np.zeros((0, dim), dtype=np.float32)
        size = self._matrix_path.stat().st_size
        if size < rows * dim * 4:
            raise ValueError("vector file shorter than its header says")
        mode = "r+" if self._writable else "r"
        return np.memmap(self._matrix_path, dtype=np.float32, mode=mode, shape=(rows, dim))

    def _consistent(self) -> bool:
        """The live rows agree with the store's: their number, and a few sampled vectors."""
        live = self._ids[self._ids >= 0]
        if len(live) != self._store.reuse.vector_count(self.model):
            return False
        if not len(live):
            return True
        picks = np.linspace(0, len(live) - 1, num=min(SAMPLES, len(live))).astype(int)
        wanted = [int(live[i]) for i in picks]
        stored = self._store.reuse.vectors(wanted, self.model)
        where = self._positions_of(wanted)
        for article_id in wanted:
            block, row = where[article_id]
            mine = (self._matrix if block == 0 else self._extra)[row]
            theirs = stored.get(article_id)
            if theirs is None or theirs.shape != mine.shape or not np.array_equal(theirs, mine):
                return False
        return True

    def _rebuild(self) -> None:
        """Write the files again from the store's rows (streamed: never all in memory)."""
        assert self._ids_path is not None and self._matrix_path is not None
        self._folder.mkdir(exist_ok=True)  # type: ignore[union-attr]
        seq, _ = self._store.reuse.vector_changes(self.model, None)
        # The ids file goes first: a crash before the new one is written leaves no header
        # (rebuilt again), never an old header over new rows.
        self._ids_path.unlink(missing_ok=True)
        ids: list[int] = []
        dim = 0
        scratch = self._matrix_path.with_suffix(".f32.tmp")
        with scratch.open("wb") as out:
            for chunk_ids, chunk in self._store.reuse.iter_vectors(self.model, REBUILD_CHUNK):
                dim = dim or chunk.shape[1]
                out.write(np.ascontiguousarray(chunk, dtype=np.float32).tobytes())
                ids.extend(chunk_ids)
        self._matrix = np.zeros((0, 0), dtype=np.float32)  # drop the old map before replacing
        scratch.replace(self._matrix_path)
        self._ids = np.asarray(ids, dtype=np.int64)
        self._dim, self._seq, self._where = dim, seq, None
        self._generation = int.from_bytes(os.urandom(7), "little")  # other processes remap
        self._matrix = self._map(len(ids), dim)
        self._write_ids()
        self.rebuilt += 1
        # Changes committed between the counter and the rows are applied (again) next time.

    def _write_ids(self) -> None:
        assert self._ids_path is not None
        header = np.array([MAGIC, self._dim, len(self._ids), self._seq, _inode(self._store),
                           int((self._ids >= 0).sum()), self._generation], dtype=np.int64)
        scratch = self._ids_path.with_suffix(".ids.tmp")
        with scratch.open("wb") as out:
            out.write(header.tobytes())
            out.write(self._ids.tobytes())
        scratch.replace(self._ids_path)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        import fcntl

        assert self._folder is not None
        self._folder.mkdir(exist_ok=True)
        with (self._folder / "lock").open("a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    # -- in memory -------------------------------------------------------------------

    def _refresh_memory(self) -> list[int] | None:
        if self._seq < 0:
            header = _read_header(self._ids_path) if self._ids_path else None
            self._extra_ids = np.zeros(0, dtype=np.int64)
            self._extra = np.zeros((0, 0), dtype=np.float32)
            if header is None or not self._load_files(header):
                self._ids = np.zeros(0, dtype=np.int64)
                self._matrix = np.zeros((0, 0), dtype=np.float32)
                self.lists = None
                seq, _ = self._store.reuse.vector_changes(self.model, None)
                for chunk_ids, chunk in self._store.reuse.iter_vectors(self.model,
                                                                       REBUILD_CHUNK):
                    self._append(chunk_ids, chunk)
                self._seq, self._where = seq, None
                return None
            seq, changed = self._store.reuse.vector_changes(self.model, self._seq)
            if changed:
                self._apply(changed)
            self._seq = seq
            if not self._consistent():
                self._seq = -1
                self._writable = False
                self._ids_path = None  # that file is not this store's: never read it again
                return self._refresh_memory()
            self._read_lists()
            return None
        seq, changed = self._store.reuse.vector_changes(self.model, self._seq)
        if changed:
            self._apply(changed)
        self._seq = seq
        return changed

    # -- the coarse lists -----------------------------------------------------------------

    def _keep_lists(self) -> None:
        """Under the lock, on a writable store: the lists in step with the rows (see the
        module's docstring); none below :data:`vector_lists.MIN_ROWS` live rows."""
        assert self._lists_path is not None
        if self._seq < 0 or int((self._ids >= 0).sum()) < vector_lists.MIN_ROWS:
            self.lists, self._touched = None, []
            return
        lists = self.lists
        header = vector_lists.read_header(self._lists_path)
        if lists is None or header is None or header["nonce"] != lists.nonce or (
                lists.generation != self._generation):
            # first look, or another process wrote them since: read them again
            lists = vector_lists.load(self._lists_path, self._dim, self._generation)
            self._touched = []  # whoever overwrote those rows assigned them in that file
        if lists is not None and lists.covered > len(self._ids):
            lists = None  # lists of rows this file does not have: not this file's
        dirty = False
        live = int((self._ids >= 0).sum())
        if lists is None or live > vector_lists.GROWTH * lists.trained:  # missing, stale,
            lists = self._build_lists()  # corrupt or outgrown
            dirty = True
        elif self._touched:
            lists.reassign(self._matrix, np.unique(self._touched))
            dirty = True
        if len(self._ids) - lists.covered >= vector_lists.TAIL_ROWS:
            lists.extend(self._matrix, len(self._ids))
            dirty = True
        if dirty:
            lists.write(self._lists_path)
        self.lists, self._touched = lists, []

    def _build_lists(self) -> VectorLists:
        """Train and assign the lists, then rewrite the file's live rows in list order."""
        found = vector_lists.build(self._matrix, self._ids, self._generation)
        order = np.argsort(found.assignment, kind="stable")
        order = order[self._ids[order] >= 0]
        self._reorder(order)
        self.lists_built += 1
        return VectorLists(found.centres, found.assignment[order], self._generation,
                           found.trained)

    def _reorder(self, order: np.ndarray) -> None:
        """Rewrite the file with its rows ``order`` (row numbers; rows left out are dropped)
        as a new build: other processes map it again, as after :meth:`_rebuild`."""
        assert self._ids_path is not None and self._matrix_path is not None
        scratch = self._matrix_path.with_suffix(".f32.tmp")
        with scratch.open("wb") as out:
            for at in range(0, len(order), REBUILD_CHUNK):
                rows = np.sort(order[at:at + REBUILD_CHUNK])  # read forwards, then place
                block = np.asarray(self._matrix[rows], dtype=np.float32)
                place = np.argsort(np.argsort(order[at:at + REBUILD_CHUNK], kind="stable"))
                out.write(np.ascontiguousarray(block[place]).tobytes())
        ids = self._ids[order]
        self._ids_path.unlink(missing_ok=True)  # a crash from here on leaves no header
        self._matrix = np.zeros((0, 0), dtype=np.float32)
        scratch.replace(self._matrix_path)
        self._ids, self._where, self._touched = ids, None, []
        self._generation = int.from_bytes(os.urandom(7), "little")
        self._matrix = self._map(len(ids), self._dim)
        self._write_ids()

    def _read_lists(self) -> None:
        """A store that writes nothing uses valid lists of the mapped file, else searches
        exactly (and says why, once)."""
        self.lists = None
        if self._lists_path is None or int((self._ids >= 0).sum()) < vector_lists.MIN_ROWS:
            return
        self.lists = vector_lists.load(self._lists_path, self._dim, self._generation)
        if self.lists is None and not self._lists_warned:
            self._lists_warned = True
            log.warning("vector lists %s missing or stale: a read-only store searches its "
                        "%s vectors exactly (open it writable once to build them)",
                        self._lists_path, self.model)

    # -- applying changes ---------------------------------------------------------------

    def _positions(self) -> dict[int, tuple[int, int]]:
        if self._where is None:
            where: dict[int, tuple[int, int]] = {}
            for block, ids in enumerate((self._ids, self._extra_ids)):
                for row in np.flatnonzero(ids >= 0).tolist():
                    where[int(ids[row])] = (block, row)
            self._where = where
        return self._where

    def _positions_of(self, wanted: list[int]) -> dict[int, tuple[int, int]]:
        """Where the live rows of ``wanted`` are (a later block's row wins, as in
        :meth:`_positions`), without a map of every row: at a million rows that map took
        0.95 s of a process's first whole-store ``check`` (2.3 s)."""
        if self._where is not None:
            return {i: self._where[i] for i in wanted if i in self._where}
        where: dict[int, tuple[int, int]] = {}
        for block, ids in enumerate((self._ids, self._extra_ids)):
            for row in np.flatnonzero((ids >= 0) & np.isin(ids, wanted)).tolist():
                where[int(ids[row])] = (block, row)
        return where

    def _apply(self, changed: list[int]) -> None:
        fresh = self._store.reuse.vectors(changed, self.model)
        where = self._positions()
        appended_ids: list[int] = []
        appended: list[np.ndarray] = []
        for article_id in changed:
            vector = fresh.get(article_id)
            place = where.get(article_id)
            if place is not None:
                block, row = place
                if vector is not None and block == 1:
                    self._extra[row] = vector
                    continue
                if vector is not None and self._writable and len(vector) == self._dim:
                    self._matrix[row] = vector  # in place: the same article's newer vector
                    self._touched.append(row)
                    continue
                # a dead row (the mapped block may be read-only): its id goes
                (self._ids if block == 0 else self._extra_ids)[row] = -1
                del where[article_id]
            if vector is not None:
                appended_ids.append(article_id)
                appended.append(vector)
        if self._writable and isinstance(self._matrix, np.memmap):
            self._matrix.flush()
        if appended:
            self._append(appended_ids, np.vstack(appended))
        dead = int((self._ids < 0).sum())
        if self._writable and dead > max(MIN_DEAD, DEAD_SHARE * len(self._ids)):
            self._rebuild()

    def _append(self, ids: list[int], rows: np.ndarray) -> None:
        rows = np.ascontiguousarray(rows, dtype=np.float32)
        if not self._writable:
            start = len(self._extra_ids)
            self._extra = rows if not start else np.vstack([self._extra, rows])
            self._extra_ids = np.concatenate([self._extra_ids, np.asarray(ids, np.int64)])
            if self._where is not None:
                self._where.update({i: (1, start + n) for n, i in enumerate(ids)})
            return
        assert self._matrix_path is not None
        if self._dim and rows.shape[1] != self._dim:  # another model's size: start over
            raise OSError(f"vector size changed from {self._dim} to {rows.shape[1]}")
        self._dim = rows.shape[1]
        start = len(self._ids)
        with self._matrix_path.open("r+b" if self._matrix_path.exists() else "wb") as out:
            out.truncate(start * self._dim * 4)  # rows a crash left beyond the header go
            out.seek(start * self._dim * 4)
            out.write(rows.tobytes())
        self._ids = np.concatenate([self._ids, np.asarray(ids, dtype=np.int64)])
        self._matrix = self._map(len(self._ids), self._dim)
        if self._where is not None:
            self._where.update({i: (0, start + n) for n, i in enumerate(ids)})


def folder_of(store: Store) -> Path | None:
    """Where the vector files of a store live: ``<store file>.vectors`` (None: in memory)."""
    path = getattr(store, "path", "")
    if not path or path == ":memory:" or "://" in path:
        return None
    return Path(path).expanduser().resolve().with_name(Path(path).name + ".vectors")


def _inode(store: Store) -> int:
    try:
        return Path(store.path).expanduser().resolve().stat().st_ino
    except OSError:
        return 0


def _read_header(path: Path | None) -> dict[str, int] | None:
    words = None if path is None else vector_lists.read_words(path, HEADER)
    if words is None:
        return None
    magic, dim, rows, seq, inode, live, generation = words
    if magic != MAGIC or rows < 0 or dim < 0:
        return None
    return {"dim": dim, "rows": rows, "seq": seq, "inode": inode, "live": live,
            "generation": generation}


__all__ = ["VectorFile", "folder_of"]
