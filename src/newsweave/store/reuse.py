"""SQLite tables of the reuse stage: copy index, vectors, attributions, pairs, origins.

The only place that knows how the reuse stage's results are laid out. The
stage writes through :class:`ReuseTables` (``store.reuse``); later stages
read origins and vectors through it.

The copy index and attributions are in :mod:`newsweave.store.reuse_index`, the vectors
in :mod:`newsweave.store.reuse_vectors`, the pairs and their passages in
:mod:`newsweave.store.reuse_pairs` (:class:`ReuseTables`' base classes); the provenance
graph's edges and origins are here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

from newsweave.model import Attribution, Edge

# The parts of the tables, in their own modules; the names imported from here re-exported.
from newsweave.store.reuse_index import IndexEntry, ReuseIndexTables
from newsweave.store.reuse_pairs import (
    ReusePairTables,
    _passages,
    evidence_json,
    offsets_json,
)
from newsweave.store.reuse_vectors import ReuseVectorTables
from newsweave.store.sql import chunks

if TYPE_CHECKING:
    from newsweave.store.sqlite import SQLiteStore

__all__ = [
    "IndexEntry", "ReuseIndexTables", "ReusePairTables", "ReuseStore", "ReuseTables",
    "ReuseVectorTables", "_passages", "evidence_json", "offsets_json",
]


class ReuseStore(Protocol):
    """What the reuse stage, and the stages after it, read and write."""

    def save_index(self, entries: Sequence[IndexEntry]) -> set[int]: ...
    def forget(self, article_ids: Iterable[int]) -> set[int]: ...
    def band_matches(self, keys: Sequence[int]) -> dict[int, int]: ...
    def sentence_matches(self, keys: Sequence[int]) -> dict[int, int]: ...
    def sentence_counts(self, article_ids: Iterable[int]) -> dict[int, int]: ...
    def signatures(self, article_ids: Iterable[int]) -> dict[int, np.ndarray]: ...
    def save_vectors(self, model: str, vectors: Mapping[int, np.ndarray]) -> None: ...
    def delete_vectors(self, model: str, article_ids: Iterable[int]) -> None: ...
    def vectors(self, article_ids: Iterable[int], model: str | None = None
                ) -> dict[int, np.ndarray]: ...
    def vectors_after(self, after_id: int, model: str) -> tuple[list[int], np.ndarray]: ...
    def vector_changes(self, model: str, after_seq: int | None
                       ) -> tuple[int, list[int] | None]: ...
    def vector_change_exists(self, seq: int) -> bool: ...
    def vector_count(self, model: str) -> int: ...
    def iter_vectors(self, model: str, chunk: int = 5000
                     ) -> Iterator[tuple[list[int], np.ndarray]]: ...
    def attributions(self, article_ids: Iterable[int]) -> dict[int, list[Attribution]]: ...
    def save_pairs(self, edges: Sequence[Edge]) -> None: ...
    def keep_passage_text(self, article_ids: Iterable[int]) -> int: ...
    def pairs(self, article_ids: Iterable[int] | None = None,
              kinds: Sequence[str] | None = None, *, evidence: bool = True) -> list[Edge]: ...
    def links_among(self, article_ids: Iterable[int], kinds: Sequence[str]
                    ) -> list[tuple[int, int, str, float]]: ...
    def published(self, article_ids: Iterable[int]) -> dict[int, str | None]: ...
    def outlets(self, article_ids: Iterable[int]) -> dict[int, str | None]: ...
    def set_edges(self, derived: int, sources: Sequence[int]) -> None: ...
    def edges(self, connected_to: Iterable[int] | None = None) -> list[tuple[int, int]]: ...
    def edges_from(self, derived: Iterable[int]) -> list[tuple[int, int]]: ...
    def set_origins(self, origins: Mapping[int, Sequence[int]]) -> None: ...
    def origin_of(self, article_ids: Iterable[int]) -> dict[int, list[int]]: ...
    def origins(self, article_ids: Iterable[int] | None = None) -> list[list[int]]: ...


class ReuseTables(ReuseIndexTables, ReuseVectorTables, ReusePairTables):
    """The reuse stage's tables in a :class:`SQLiteStore` (attached as ``store.reuse``)."""

    def __init__(self, store: SQLiteStore) -> None:
        self._store = store

    @property
    def _db(self) -> sqlite3.Connection:
        return self._store._db

    # -- the provenance graph -------------------------------------------------

    def published(self, article_ids: Iterable[int]) -> dict[int, str | None]:
        """The publication time of each stored article given (absent: not stored): what
        the graph reads of an article to choose its sources, without the article."""
        return self._listed("published", article_ids)

    def outlets(self, article_ids: Iterable[int]) -> dict[int, str | None]:
        """The outlet of each stored article given (absent: not stored): what the
        families' attribution check reads of an article besides its attributions."""
        return self._listed("outlet", article_ids)

    def _listed(self, column: str, article_ids: Iterable[int]) -> dict[int, str | None]:
        """One column of ``articles_listing`` (id, outlet, language, published) by id.
        SQLite is told to read the index: by the table's key it reads each article's row,
        whose raw input and text come before these columns (overflow pages), and the graph
        update asks for 30,000 articles' times a batch past 800,000 articles
        (docs/benchmarks.md, "Archive scale, part 29"). PostgreSQL reads what it plans
        (``store.dialect`` drops the ``INDEXED BY``)."""
        out: dict[int, str | None] = {}
        for chunk in chunks(sorted(set(article_ids))):
            marks = ",".join("?" * len(chunk))
            for article_id, value in self._db.execute(
                f"SELECT id, {column} FROM articles INDEXED BY articles_listing "
                f"WHERE id IN ({marks})", chunk
            ):
                out[int(article_id)] = value
        return out

    def set_edges(self, derived: int, sources: Sequence[int]) -> None:
        """The chosen sources of ``derived`` in the provenance graph (replacing earlier ones)."""
        with self._store.transaction() as db:
            db.execute("DELETE FROM reuse_edges WHERE derived = ?", (derived,))
            db.executemany("INSERT INTO reuse_edges (derived, source) VALUES (?, ?)",
                           [(derived, s) for s in sources])

    def edges(self, connected_to: Iterable[int] | None = None) -> list[tuple[int, int]]:
        """(derived, source) edges of the provenance graph: all of them, or those of the
        connected components holding ``connected_to`` (read by walking out from them, so
        the cost follows the size of those components, not of the whole graph)."""
        if connected_to is None:
            rows = self._db.execute(
                "SELECT derived, source FROM reuse_edges ORDER BY derived, source")
            return [(int(r[0]), int(r[1])) for r in rows]
        found: set[tuple[int, int]] = set()
        seen = set(connected_to)
        frontier = sorted(seen)
        while frontier:
            reached: set[int] = set()
            for chunk in chunks(frontier):
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT derived, source FROM reuse_edges WHERE derived IN ({marks}) "
                    f"UNION SELECT derived, source FROM reuse_edges WHERE source IN ({marks})",
                    chunk + chunk)
                for derived, source in rows:
                    found.add((int(derived), int(source)))
                    reached.update((int(derived), int(source)))
            frontier = sorted(reached - seen)
            seen |= reached
        return sorted(found)

    def edges_from(self, derived: Iterable[int]) -> list[tuple[int, int]]:
        """(derived, source) edges whose derived article is one of ``derived``: the chosen
        sources of those articles (one indexed lookup per article, whatever the store)."""
        found: list[tuple[int, int]] = []
        for chunk in chunks(sorted(set(derived))):
            marks = ",".join("?" * len(chunk))
            found.extend((int(d), int(s)) for d, s in self._db.execute(
                f"SELECT derived, source FROM reuse_edges WHERE derived IN ({marks})", chunk))
        return sorted(found)

    def set_origins(self, origins: Mapping[int, Sequence[int]]) -> None:
        """Set the origin(s) of each article given (an origin is its original's id)."""
        ids = list(origins)
        with self._store.transaction() as db:
            for chunk in chunks(ids):
                marks = ",".join("?" * len(chunk))
                db.execute(f"DELETE FROM article_origin WHERE article_id IN ({marks})", chunk)
            db.executemany(
                "INSERT INTO article_origin (article_id, origin_id) VALUES (?, ?)",
                [(i, o) for i, found in origins.items() for o in sorted(set(found))],
            )

    def origin_of(self, article_ids: Iterable[int]) -> dict[int, list[int]]:
        """The origin id(s) of each article: the original(s) it derives from, or itself."""
        out: dict[int, list[int]] = {}
        for chunk in chunks(list(article_ids)):
            marks = ",".join("?" * len(chunk))
            for article_id, origin in self._db.execute(
                f"SELECT article_id, origin_id FROM article_origin WHERE article_id IN ({marks}) "
                "ORDER BY article_id, origin_id", chunk
            ):
                out.setdefault(int(article_id), []).append(int(origin))
        return out

    def origins(self, article_ids: Iterable[int] | None = None) -> list[list[int]]:
        """Origins as sorted lists of article ids (restricted to ``article_ids`` if given:
        then only those articles' rows are read, so a story's origins cost its size)."""
        groups: dict[int, list[int]] = {}
        if article_ids is None:
            rows: Iterable[tuple[int, int]] = self._db.execute(
                "SELECT article_id, origin_id FROM article_origin")
        else:
            rows = []
            for chunk in chunks(sorted(set(article_ids))):
                marks = ",".join("?" * len(chunk))
                rows.extend(self._db.execute(
                    f"SELECT article_id, origin_id FROM article_origin "
                    f"WHERE article_id IN ({marks})", chunk))
        for article_id, origin in rows:
            groups.setdefault(int(origin), []).append(int(article_id))
        return sorted(sorted(members) for members in groups.values())
