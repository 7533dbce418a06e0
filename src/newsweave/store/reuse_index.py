"""The reuse stage's copy index: each article's MinHash signature, LSH band keys, sentence
keys and attributions, and the articles sharing keys with another.

A part of :class:`newsweave.store.reuse.ReuseTables` (its base class), not to be used on
its own: the methods read ``_db`` and ``_store``, which the tables set.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from newsweave.model import Attribution
from newsweave.store.sql import chunks

if TYPE_CHECKING:
    from newsweave.store.sqlite import SQLiteStore


@dataclass(slots=True)
class IndexEntry:
    """What the reuse index keeps of one article."""

    article_id: int
    signature: np.ndarray  # uint32 MinHash values
    words: int
    band_keys: Sequence[int]
    sentence_keys: Sequence[int]
    attributions: Sequence[Attribution]


class ReuseIndexTables:
    """The copy index's methods (see :class:`newsweave.store.reuse.ReuseTables`)."""

    _store: SQLiteStore
    _db: sqlite3.Connection

    def save_index(self, entries: Sequence[IndexEntry]) -> set[int]:
        """Replace the index rows and attributions of these articles (see :meth:`forget`)."""
        with self._store.transaction() as db:
            partners = self.forget(e.article_id for e in entries)
            db.executemany(
                "INSERT INTO reuse_signatures (article_id, signature, words) VALUES (?, ?, ?)",
                [(e.article_id, np.asarray(e.signature, dtype=np.uint32).tobytes(), e.words)
                 for e in entries],
            )
            db.executemany(
                "INSERT INTO reuse_bands (key, article_id) VALUES (?, ?)",
                [(k, e.article_id) for e in entries for k in e.band_keys],
            )
            db.executemany(
                "INSERT INTO reuse_sentences (key, article_id) VALUES (?, ?)",
                [(k, e.article_id) for e in entries for k in set(e.sentence_keys)],
            )
            db.executemany(
                "INSERT INTO attributions (article_id, seq, name, kind, sentence, char_start, "
                "char_end) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(e.article_id, i, a.name, a.kind, a.sentence, a.start, a.end)
                 for e in entries for i, a in enumerate(e.attributions)],
            )
        return partners

    def forget(self, article_ids: Iterable[int]) -> set[int]:
        """Drop the index rows, attributions, pairs and graph edges of articles.

        Returns the other articles that lost a pair or an edge: their sources
        and origins must be chosen again.
        """
        ids = list(article_ids)
        partners: set[int] = set()
        with self._store.transaction() as db:
            for chunk in chunks(ids):
                marks = ",".join("?" * len(chunk))
                for table in ("reuse_signatures", "reuse_bands", "reuse_sentences",
                              "attributions"):
                    db.execute(f"DELETE FROM {table} WHERE article_id IN ({marks})", chunk)
                for first, second, table in (("a", "b", "reuse_pairs"),
                                             ("derived", "source", "reuse_edges")):
                    where = f"{first} IN ({marks}) OR {second} IN ({marks})"
                    for x, y in db.execute(f"SELECT {first}, {second} FROM {table} WHERE {where}",
                                           chunk + chunk):
                        partners.update((int(x), int(y)))
                    db.execute(f"DELETE FROM {table} WHERE {where}", chunk + chunk)
        return partners - set(ids)

    def band_matches(self, keys: Sequence[int]) -> dict[int, int]:
        """Articles sharing LSH band keys with ``keys``, with the number shared."""
        return self._matches("reuse_bands", keys)

    def sentence_matches(self, keys: Sequence[int]) -> dict[int, int]:
        """Articles sharing sentence keys with ``keys``, with the number shared."""
        return self._matches("reuse_sentences", keys)

    def sentence_counts(self, article_ids: Iterable[int]) -> dict[int, int]:
        """How many distinct sentence keys each indexed article has (absent: none)."""
        out: dict[int, int] = {}
        for chunk in chunks(list(article_ids)):
            marks = ",".join("?" * len(chunk))
            for article_id, count in self._db.execute(
                f"SELECT article_id, count(DISTINCT key) FROM reuse_sentences "
                f"WHERE article_id IN ({marks}) GROUP BY article_id", chunk
            ):
                out[int(article_id)] = int(count)
        return out

    def _matches(self, table: str, keys: Sequence[int]) -> dict[int, int]:
        found: dict[int, int] = {}
        unique = list(dict.fromkeys(keys))
        for chunk in chunks(unique):
            marks = ",".join("?" * len(chunk))
            for article_id, count in self._db.execute(
                f"SELECT article_id, count(DISTINCT key) FROM {table} WHERE key IN ({marks}) "
                "GROUP BY article_id", chunk
            ):
                found[int(article_id)] = found.get(int(article_id), 0) + int(count)
        return found

    def signatures(self, article_ids: Iterable[int]) -> dict[int, np.ndarray]:
        out: dict[int, np.ndarray] = {}
        for chunk in chunks(list(article_ids)):
            marks = ",".join("?" * len(chunk))
            for article_id, blob in self._db.execute(
                f"SELECT article_id, signature FROM reuse_signatures "
                f"WHERE article_id IN ({marks})", chunk
            ):
                out[int(article_id)] = np.frombuffer(blob, dtype=np.uint32)
        return out

    # -- attributions ---------------------------------------------------------

    def attributions(self, article_ids: Iterable[int]) -> dict[int, list[Attribution]]:
        out: dict[int, list[Attribution]] = {}
        for chunk in chunks(list(article_ids)):
            marks = ",".join("?" * len(chunk))
            for row in self._db.execute(
                f"SELECT article_id, name, kind, sentence, char_start, char_end "
                f"FROM attributions WHERE article_id IN ({marks}) ORDER BY article_id, seq", chunk
            ):
                out.setdefault(int(row[0]), []).append(
                    Attribution(int(row[0]), row[1], row[2], row[3], int(row[4]), int(row[5]))
                )
        return out
