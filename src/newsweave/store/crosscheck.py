"""SQL of the cross-check: a cache of claim-sentence embeddings.

Table (migration "crosscheck" in :mod:`newsweave.store.migrations`):

- ``claim_vectors``: one float32 vector per (model, SHA-1 of a claim's text).
  Embedding is the slow part of a brief (tens of sentences a second on two
  cores), and a story's claims stay the same between briefs, so each text is
  embedded once. Keyed by text rather than article: a repost's sentences are
  the wire's, and share its rows. Pure cache: deleting rows loses nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Protocol

import numpy as np

from newsweave.store.sql import chunks

if TYPE_CHECKING:
    from newsweave.store.sqlite import SQLiteStore



class CrosscheckStore(Protocol):
    """What the cross-check needs from the store."""

    def claim_vectors(self, model: str, keys: Iterable[str]) -> dict[str, np.ndarray]:
        """Cached vectors of ``model`` by text key (absent keys are left out)."""
        ...

    def save_claim_vectors(self, model: str, vectors: Mapping[str, np.ndarray]) -> None: ...


class CrosscheckTables:
    """The cross-check's tables in a :class:`SQLiteStore` (attached as ``store.crosscheck``)."""

    def __init__(self, store: SQLiteStore) -> None:
        self._store = store

    @property
    def _db(self) -> sqlite3.Connection:
        return self._store._db

    def claim_vectors(self, model: str, keys: Iterable[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for chunk in chunks(dict.fromkeys(keys)):
            marks = ",".join("?" * len(chunk))
            for key, blob in self._db.execute(
                f"SELECT key, vector FROM claim_vectors WHERE model = ? AND key IN ({marks})",
                [model, *chunk],
            ):
                out[key] = np.frombuffer(blob, dtype=np.float32)
        return out

    def save_claim_vectors(self, model: str, vectors: Mapping[str, np.ndarray]) -> None:
        with self._store.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO claim_vectors (model, key, vector) VALUES (?, ?, ?)",
                [(model, key, np.asarray(v, dtype=np.float32).tobytes())
                 for key, v in vectors.items()],
            )


__all__ = ["CrosscheckStore", "CrosscheckTables"]
