"""One model's stored vectors searched in memory: a memory-mapped file beside the store
(``store/vectors.py``) kept up to date from the store's change log, scanned exactly or,
in a large store, through its coarse lists (``store/vector_lists.py``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from newsweave.nlp.embed import MODEL_NAME
from newsweave.store import Store
from newsweave.store.vectors import VectorFile

# An approximate search (a large store's coarse lists, store/vector_lists.py) reads the rows
# of the PROBES lists nearest to the query, keeps each model's DEPTH best by exact cosine,
# and ranks those by the exact semantic score. PROBES: the fewest with every one of the 1M
# store's story claims keeping 99 % of its exact top 50 (32 kept 96 %); reported on Emergent's
# claims, beside neighbouring settings: docs/benchmarks.md, "Archive scale, part 7".
PROBES = 64
DEPTH = 200


class VectorIndex:
    """One model's stored article vectors, searched over a memory-mapped file: exactly, or
    (:meth:`search`, in a large store) through the file's coarse lists.

    The rows live in the store's vector file (:class:`newsweave.store.vectors.VectorFile`:
    persisted beside the store, brought up to date from the store's change log on each
    refresh, so it sees every row any process writes, and rebuilt from the stored rows when
    missing or stale). A search is one matrix product over the mapped rows, exact, and no
    vector is copied into memory. Chosen by measurement over two HNSW libraries (usearch,
    hnswlib): ``python bench/vector_index.py``, docs/benchmarks.md; the lists from 300,000
    vectors on (:mod:`newsweave.store.vector_lists`; "Archive scale, part 7" there).
    """

    def __init__(self, model: str = MODEL_NAME) -> None:
        self.model = model
        self._key: tuple[int, str] | None = None
        self._file: VectorFile | None = None
        self._id_array = np.zeros(0, dtype=np.int64)  # live article ids, ascending
        self._columns = np.zeros(0, dtype=np.int64)  # their rows in the blocks, end to end
        self._identity = True  # the blocks' rows are already the live ids in order
        self._row_ids = np.zeros(0, dtype=np.int64)  # every block row's id (-1: dead)
        self._labels: dict[int, str] = {}  # per-article labels (languages), see labels()
        self._label_array: np.ndarray | None = None  # the same in id order, until a change

    @property
    def _ids(self) -> list[int]:
        return [int(i) for i in self._id_array]

    def refresh(self, store: Store) -> None:
        """Bring the index up to the store's rows (every process's writes since last time)."""
        key = (id(store), store.path)
        if key != self._key or self._file is None:
            self._key, self._file = key, VectorFile(store, self.model)
        changed = self._file.refresh()
        if changed is None or changed:
            self._label_array = None
        if changed is None:
            self._labels.clear()
        else:
            for article_id in changed:
                self._labels.pop(article_id, None)
            if not changed:
                return
        self._reindex()

    def _reindex(self) -> None:
        blocks = self._file.blocks() if self._file is not None else []
        if not blocks:
            self._id_array = self._columns = np.zeros(0, dtype=np.int64)
            self._row_ids = np.zeros(0, dtype=np.int64)
            self._identity = True
            return
        ids = np.concatenate([b[0] for b in blocks])
        self._row_ids = ids  # a new array: as of this refresh (the blocks change in place)
        live = np.flatnonzero(ids >= 0)
        order = np.argsort(ids[live], kind="stable")  # other processes' ids may be lower
        self._columns = live[order]
        self._id_array = ids[self._columns]
        self._identity = len(self._columns) == len(ids) and bool(
            np.all(self._columns == np.arange(len(ids))))

    def forget(self, article_ids: Sequence[int]) -> None:
        """Kept for callers: replaced or deleted rows are found through the change log."""

    def scores(self, vectors: np.ndarray) -> np.ndarray:
        """Cosines of each row of ``vectors`` (unit length) with every stored vector: one
        row per query, one column per stored article in ascending id order."""
        vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        blocks = self._file.blocks() if self._file is not None else []
        if not blocks or not len(self._id_array):
            return np.zeros((len(vectors), 0), dtype=np.float32)
        parts = [vectors @ matrix.T for _, matrix in blocks]
        full = parts[0] if len(parts) == 1 else np.hstack(parts)
        return full if self._identity else full[:, self._columns]

    def row_scores(self, vectors: np.ndarray) -> np.ndarray:
        """Cosines of each row of ``vectors`` with every row of the blocks, in the blocks'
        order (dead rows included: see ``_row_ids``), so a caller that places them by id
        needs no reordering copy (at a million rows in list order that copy was 1.7 CPU s
        for a batch of 100)."""
        vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        blocks = self._file.blocks() if self._file is not None else []
        if not blocks:
            return np.zeros((len(vectors), 0), dtype=np.float32)
        parts = [vectors @ matrix.T for _, matrix in blocks]
        return parts[0] if len(parts) == 1 else np.hstack(parts)

    def vector(self, position: int) -> np.ndarray:
        """The stored vector of the article at ``position`` in ascending id order."""
        column = int(self._columns[position])
        for ids, matrix in self._file.blocks() if self._file is not None else []:
            if column < len(ids):
                return np.asarray(matrix[column])
            column -= len(ids)
        raise IndexError(position)

    def vector_of(self, article_id: int) -> np.ndarray | None:
        """The stored vector of ``article_id``; None if the index has none."""
        ids = self._id_array
        cell = int(np.searchsorted(ids, article_id))
        if cell >= len(ids) or int(ids[cell]) != article_id:
            return None
        return self.vector(cell)

    def labels(self, label_of: Callable[[int], str]) -> np.ndarray:
        """``label_of`` of every stored article, in ascending id order (computed once per
        article and kept until its vector changes; one kind of label per index: the reuse
        stage's languages)."""
        if self._label_array is not None and len(self._label_array) == len(self._id_array):
            return self._label_array
        cache = self._labels
        for article_id in self._id_array.tolist():
            if article_id not in cache:
                cache[article_id] = label_of(article_id)
        self._label_array = np.array([cache[i] for i in self._id_array.tolist()])
        return self._label_array

    @property
    def approximate(self) -> bool:
        """Whether :meth:`search` reads only some rows (the store is large enough to keep
        coarse lists of them, :mod:`newsweave.store.vector_lists`)."""
        return self._file is not None and self._file.lists is not None

    def search(self, vector: np.ndarray, depth: int | None = None, probes: int | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
        """Ids and exact cosines of up to ``depth`` stored vectors nearest to ``vector``
        (unit length), best first: among the rows of the ``probes`` nearest lists and the
        rows the lists do not cover yet where the index keeps lists, among all otherwise."""
        depth = DEPTH if depth is None else depth
        probes = PROBES if probes is None else probes
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
        lists = self._file.lists if self._file is not None else None
        if lists is None:
            ids, cosines = self.cosines(query)
        else:
            found_ids, found = [], []
            for block, (ids, matrix) in enumerate(self._file.blocks()):  # type: ignore[union-attr]
                if block == 0:
                    near = lists.rows_near(query, probes)
                    rows = np.concatenate([near[near < len(ids)],
                                           np.arange(min(lists.covered, len(ids)), len(ids))])
                else:
                    rows = np.arange(len(ids))
                scores = _scan(matrix, rows, query)
                live = ids[rows] >= 0
                found_ids.append(ids[rows[live]])
                found.append(scores[live])
            ids, cosines = np.concatenate(found_ids), np.concatenate(found)
        if len(ids) > depth:
            top = np.argpartition(-cosines, depth - 1)[:depth]
            ids, cosines = ids[top], cosines[top]
        order = np.lexsort((ids, -cosines))
        return ids[order], cosines[order]

    def cosines_of(self, article_ids: np.ndarray, vector: np.ndarray) -> np.ndarray:
        """Exact cosines of ``vector`` with the stored vectors of ``article_ids`` (NaN for an
        article the index has no vector of), reading those rows only."""
        article_ids = np.asarray(article_ids, dtype=np.int64)
        out = np.full(len(article_ids), np.nan, dtype=np.float32)
        ids = self._id_array
        if not len(ids) or not len(article_ids):
            return out
        cells = np.minimum(np.searchsorted(ids, article_ids), len(ids) - 1)
        held = np.flatnonzero(ids[cells] == article_ids)
        columns = self._columns[cells[held]]
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
        start = 0
        for _, matrix in self._file.blocks() if self._file is not None else []:
            mine = (columns >= start) & (columns < start + len(matrix))
            if mine.any():
                rows = columns[mine] - start
                order = np.argsort(rows)
                values = np.empty(len(rows), dtype=np.float32)
                values[order] = np.asarray(matrix[rows[order]], dtype=np.float32) @ query
                out[held[mine]] = values
            start += len(matrix)
        return out

    def nearest(self, vectors: np.ndarray, k: int, min_cosine: float
                ) -> list[list[tuple[int, float]]]:
        """For each row of ``vectors``, up to ``k`` (id, cosine) at or above ``min_cosine``."""
        if not len(self._id_array) or not len(vectors):
            return [[] for _ in range(len(vectors))]
        scores = self.scores(vectors)
        out = []
        for row in scores:
            take = min(k + 1, row.size)
            top = np.argpartition(-row, take - 1)[:take]
            top = top[np.argsort(-row[top])]
            out.append([(int(self._id_array[i]), float(row[i])) for i in top
                        if row[i] >= min_cosine])
        return out

    def cosines(self, vector: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Ids and cosines of every stored vector with ``vector``."""
        if not len(self._id_array):
            return self._id_array, np.zeros(0, dtype=np.float32)
        return self._id_array, self.scores(vector)[0]


RUN = 8  # rows in a row read as one slice of the file; shorter runs are gathered together


def _scan(matrix: np.ndarray, rows: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Cosines of ``query`` with ``rows`` (ascending) of ``matrix``: each run of consecutive
    rows (a list, once the file is in list order) as one slice, the scattered rest gathered
    (on a memory map a scattered row costs about six times its product)."""
    out = np.empty(len(rows), dtype=np.float32)
    if not len(rows):
        return out
    breaks = np.flatnonzero(np.diff(rows) != 1) + 1
    starts = np.concatenate([[0], breaks])
    lengths = np.diff(np.concatenate([starts, [len(rows)]]))
    long = lengths >= RUN
    for start, length in zip(starts[long].tolist(), lengths[long].tolist(), strict=True):
        first = int(rows[start])
        out[start:start + length] = np.asarray(matrix[first:first + length]) @ query
    cells = np.flatnonzero(~np.repeat(long, lengths))
    if len(cells):
        out[cells] = np.asarray(matrix[rows[cells]], dtype=np.float32) @ query
    return out
