"""SQL of the cross-check: caches of what a story's brief computes from its claim texts.

Tables (migrations "crosscheck" and "briefs prepared ahead" in
:mod:`newsweave.store.migrations`):

- ``claim_vectors``: one float32 vector per (model, SHA-1 of a claim's text).
  Embedding is the slow part of a brief (tens of sentences a second on two
  cores), and a story's claims stay the same between briefs, so each text is
  embedded once. Keyed by text rather than article: a repost's sentences are
  the wire's, and share its rows. Pure cache: deleting rows loses nothing.
- ``claim_frames``: what the parse reads of a claim text (its figures' and
  actions' frames, JSON) per (parser and code key, SHA-1 of the text and spans).
- ``claim_pairs``: a story's scored claim pairs, one packed set per key of its
  distinct claim texts in order (:func:`newsweave.crosscheck.align.pairs_key`).
- ``brief_prepared``: each story's last preparation (``Engine.prepare_briefs``):
  a signature of its articles and the models, so a changed story is prepared again.
  The three caches are pure too; the signature only says what to prepare next.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

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

    def claim_frames(self, model: str, keys: Iterable[str]) -> dict[str, str]:
        """Kept frames (JSON) of ``model`` by text key (absent keys are left out)."""
        ...

    def save_claim_frames(self, model: str, frames: Mapping[str, str]) -> None: ...

    def claim_pairs(self, key: str) -> bytes | None:
        """The packed scored pairs kept under ``key``, or None."""
        ...

    def save_claim_pairs(self, key: str, pairs: bytes) -> None: ...

    def prepared(self, story_ids: Iterable[int] | None = None) -> dict[int, str]:
        """Each prepared story's signature (of ``story_ids``, or of every story)."""
        ...

    def save_prepared(self, signatures: Mapping[int, str]) -> None: ...

    def story_contents(self, story_ids: Iterable[int] | None = None
                       ) -> Iterator[tuple[int, list[tuple[int, str]]]]:
        """Each live story (of ``story_ids``, or every one) with its articles' ids and
        content hashes, by story id."""
        ...


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

    def claim_frames(self, model: str, keys: Iterable[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in chunks(dict.fromkeys(keys)):
            marks = ",".join("?" * len(chunk))
            out.update(self._db.execute(
                f"SELECT key, frames FROM claim_frames WHERE model = ? AND key IN ({marks})",
                [model, *chunk]).fetchall())
        return out

    def save_claim_frames(self, model: str, frames: Mapping[str, str]) -> None:
        with self._store.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO claim_frames (model, key, frames) VALUES (?, ?, ?)",
                [(model, key, value) for key, value in frames.items()])

    def claim_pairs(self, key: str) -> bytes | None:
        row = self._db.execute("SELECT pairs FROM claim_pairs WHERE key = ?", (key,)).fetchone()
        return None if row is None else bytes(row[0])

    def save_claim_pairs(self, key: str, pairs: bytes) -> None:
        with self._store.transaction() as db:
            db.execute("INSERT OR REPLACE INTO claim_pairs (key, pairs) VALUES (?, ?)",
                       (key, pairs))

    def prepared(self, story_ids: Iterable[int] | None = None) -> dict[int, str]:
        if story_ids is None:
            return {int(s): str(g) for s, g in self._db.execute(
                "SELECT story_id, signature FROM brief_prepared")}
        out: dict[int, str] = {}
        for chunk in chunks(dict.fromkeys(story_ids)):
            marks = ",".join("?" * len(chunk))
            out.update((int(s), str(g)) for s, g in self._db.execute(
                f"SELECT story_id, signature FROM brief_prepared WHERE story_id IN ({marks})",
                list(chunk)))
        return out

    def save_prepared(self, signatures: Mapping[int, str]) -> None:
        at = datetime.now(UTC).isoformat(timespec="seconds")
        with self._store.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO brief_prepared (story_id, signature, prepared_at) "
                "VALUES (?, ?, ?)",
                [(story, signature, at) for story, signature in signatures.items()])

    def story_contents(self, story_ids: Iterable[int] | None = None
                       ) -> Iterator[tuple[int, list[tuple[int, str]]]]:
        sql = ("SELECT m.story_id, m.article_id, a.content_hash FROM story_members m "
               "JOIN stories s ON s.id = m.story_id AND s.merged_into IS NULL "
               "JOIN articles a ON a.id = m.article_id")
        if story_ids is None:
            rows: Iterable[Any] = self._db.execute(sql + " ORDER BY m.story_id, m.article_id")
        else:
            rows = sorted(tuple(row) for chunk in chunks(sorted(set(story_ids)))
                          for row in self._db.execute(
                              sql + f" WHERE m.story_id IN ({','.join('?' * len(chunk))})",
                              chunk))
        story: int | None = None
        members: list[tuple[int, str]] = []
        for story_id, article_id, content in rows:
            if story_id != story:
                if story is not None:
                    yield story, members
                story, members = int(story_id), []
            members.append((int(article_id), str(content)))
        if story is not None:
            yield story, members


__all__ = ["CrosscheckStore", "CrosscheckTables"]
