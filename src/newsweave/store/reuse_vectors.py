"""The reuse stage's article vectors: one float32 vector per article and model, and the
log of their changes that a vector file follows.

A part of :class:`newsweave.store.reuse.ReuseTables` (its base class), not to be used on
its own: the methods read ``_db`` and ``_store``, which the tables set.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from newsweave.store.sql import chunks

if TYPE_CHECKING:
    from newsweave.store.sqlite import SQLiteStore


class ReuseVectorTables:
    """The article vectors' methods (see :class:`newsweave.store.reuse.ReuseTables`)."""

    _store: SQLiteStore
    _db: sqlite3.Connection

    def save_vectors(self, model: str, vectors: Mapping[int, np.ndarray]) -> None:
        """Store one float32 vector per article for ``model`` (replacing older ones)."""
        with self._store.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO article_vectors (article_id, model, vector) "
                "VALUES (?, ?, ?)",
                [(i, model, np.asarray(v, dtype=np.float32).tobytes())
                 for i, v in vectors.items()],
            )
            _log_changes(db, model, list(vectors))

    def delete_vectors(self, model: str, article_ids: Iterable[int]) -> None:
        """Drop these articles' vectors of ``model`` (e.g. an article no longer English)."""
        with self._store.transaction() as db:
            for chunk in chunks(list(article_ids)):
                marks = ",".join("?" * len(chunk))
                db.execute(f"DELETE FROM article_vectors WHERE model = ? AND article_id IN "
                           f"({marks})", (model, *chunk))
                _log_changes(db, model, chunk)

    def vectors(self, article_ids: Iterable[int], model: str | None = None
                ) -> dict[int, np.ndarray]:
        """Stored vectors by article id (default model: :data:`newsweave.nlp.embed.MODEL_NAME`)."""
        if model is None:
            from newsweave.nlp.embed import MODEL_NAME

            model = MODEL_NAME
        out: dict[int, np.ndarray] = {}
        for chunk in chunks(list(article_ids)):
            marks = ",".join("?" * len(chunk))
            for article_id, blob in self._db.execute(
                f"SELECT article_id, vector FROM article_vectors "
                f"WHERE model = ? AND article_id IN ({marks})", (model, *chunk)
            ):
                out[int(article_id)] = np.frombuffer(blob, dtype=np.float32)
        return out

    def vectors_after(self, after_id: int, model: str) -> tuple[list[int], np.ndarray]:
        """Ids and stacked vectors of articles with an id above ``after_id``, in id order."""
        ids: list[int] = []
        rows: list[np.ndarray] = []
        for article_id, blob in self._db.execute(
            "SELECT article_id, vector FROM article_vectors WHERE model = ? AND article_id > ? "
            "ORDER BY article_id", (model, after_id)
        ):
            ids.append(int(article_id))
            rows.append(np.frombuffer(blob, dtype=np.float32))
        matrix = np.vstack(rows) if rows else np.zeros((0, 0), dtype=np.float32)
        return ids, matrix

    def vector_changes(self, model: str, after_seq: int | None
                       ) -> tuple[int, list[int] | None]:
        """The change counter now and the articles whose ``model`` vector was written or
        deleted since ``after_seq`` (None: the counter alone, for a first load). Every
        process's writes count, whatever their article ids: the log's sequence follows
        commit order (writes are serialised by the write lock)."""
        # The counter is read first: a change committed after it is seen (again) next time.
        seq = int(self._db.execute("SELECT max(seq) FROM vector_changes").fetchone()[0] or 0)
        if after_seq is None:
            return seq, None
        ids = sorted({int(r[0]) for r in self._db.execute(
            "SELECT article_id FROM vector_changes WHERE seq > ? AND model = ?",
            (after_seq, model))})
        return seq, ids

    def vector_change_exists(self, seq: int) -> bool:
        """Whether the change log holds entry ``seq`` (a vector file's position is this
        store's, not another's that was at this path)."""
        return self._db.execute("SELECT 1 FROM vector_changes WHERE seq = ?",
                                (seq,)).fetchone() is not None

    def vector_count(self, model: str) -> int:
        """How many articles have a ``model`` vector."""
        return int(self._db.execute("SELECT count(*) FROM article_vectors WHERE model = ?",
                                    (model,)).fetchone()[0])

    def iter_vectors(self, model: str, chunk: int = 5000
                     ) -> Iterator[tuple[list[int], np.ndarray]]:
        """Every ``model`` vector in article id order, ``chunk`` rows at a time (ids and a
        stacked matrix): a rebuild of a vector file never holds them all."""
        after = -1
        while True:
            ids: list[int] = []
            rows: list[np.ndarray] = []
            for article_id, blob in self._db.execute(
                "SELECT article_id, vector FROM article_vectors WHERE model = ? "
                "AND article_id > ? ORDER BY article_id LIMIT ?", (model, after, chunk)
            ):
                ids.append(int(article_id))
                rows.append(np.frombuffer(blob, dtype=np.float32))
            if not ids:
                return
            yield ids, np.vstack(rows)
            after = ids[-1]


def _log_changes(db: sqlite3.Connection, model: str, article_ids: Sequence[int]) -> None:
    db.executemany("INSERT INTO vector_changes (article_id, model) VALUES (?, ?)",
                   [(i, model) for i in article_ids])
