"""SQLite tables of the reuse stage: copy index, vectors, attributions, pairs, origins.

The only place that knows how the reuse stage's results are laid out. The
stage writes through :class:`ReuseTables` (``store.reuse``); later stages
read origins and vectors through it.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from json.encoder import encode_basestring as _string  # json.dumps' (ensure_ascii=False)
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from newsweave.model import Attribution, Edge, Evidence, Passage
from newsweave.store.sql import chunks, read_snapshot

if TYPE_CHECKING:
    from newsweave.store.sqlite import SQLiteStore

_float = float.__repr__  # how json.dumps writes a float
_TEXT_BATCH = 2000  # pairs read with their evidence per read of their articles' texts



@dataclass(slots=True)
class IndexEntry:
    """What the reuse index keeps of one article."""

    article_id: int
    signature: np.ndarray  # uint32 MinHash values
    words: int
    band_keys: Sequence[int]
    sentence_keys: Sequence[int]
    attributions: Sequence[Attribution]


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
    def published(self, article_ids: Iterable[int]) -> dict[int, str | None]: ...
    def set_edges(self, derived: int, sources: Sequence[int]) -> None: ...
    def edges(self, connected_to: Iterable[int] | None = None) -> list[tuple[int, int]]: ...
    def edges_from(self, derived: Iterable[int]) -> list[tuple[int, int]]: ...
    def set_origins(self, origins: Mapping[int, Sequence[int]]) -> None: ...
    def origin_of(self, article_ids: Iterable[int]) -> dict[int, list[int]]: ...
    def origins(self, article_ids: Iterable[int] | None = None) -> list[list[int]]: ...


class ReuseTables:
    """The reuse stage's tables in a :class:`SQLiteStore` (attached as ``store.reuse``)."""

    def __init__(self, store: SQLiteStore) -> None:
        self._store = store

    @property
    def _db(self) -> sqlite3.Connection:
        return self._store._db

    # -- the copy index -------------------------------------------------------

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

    # -- vectors --------------------------------------------------------------

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

    # -- pairs, edges, origins ------------------------------------------------

    def save_pairs(self, edges: Sequence[Edge]) -> None:
        """Insert or replace the relation of each article pair.

        A pair's aligned passages are stored as offsets alone (:func:`offsets_json`) when
        each passage's text is its article's stored text at those offsets (checked here,
        under the write lock), their text filled from the articles when read; otherwise
        (a text re-cleaned while the pair was aligned) with their text, as before."""
        with self._store.transaction() as db:
            texts = self._texts({i for e in edges if e.evidence for i in (e.derived, e.source)})
            db.executemany(
                "INSERT OR REPLACE INTO reuse_pairs (a, b, derived, source, kind, score, "
                "confidence, shared_fraction, attribution, reasons, evidence) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(min(e.derived, e.source), max(e.derived, e.source), e.derived, e.source,
                  e.kind, e.score, e.confidence, e.shared_fraction, e.attribution,
                  json.dumps(e.reasons, ensure_ascii=False),
                  offsets_json(e, texts) or evidence_json(e.evidence))
                 for e in edges],
            )

    def keep_passage_text(self, article_ids: Iterable[int]) -> int:
        """Write the passages' text into the stored pairs of these articles whose evidence
        holds offsets alone, from the articles' texts as stored now: called before an
        article's text is replaced, so its pairs read the same until the reuse stage
        relates it again (which replaces them). Returns how many pairs were rewritten."""
        ids = sorted(set(article_ids))
        found: list[tuple[int, int, int, int, str]] = []
        with self._store.transaction() as db:  # read and written in one state
            for chunk in chunks(ids):
                marks = ",".join("?" * len(chunk))
                found.extend(
                    (int(a), int(b), int(d), int(s), str(ev)) for a, b, d, s, ev in db.execute(
                        f"SELECT a, b, derived, source, evidence FROM reuse_pairs "
                        f"WHERE (a IN ({marks}) OR b IN ({marks})) AND evidence LIKE '[[%'",
                        chunk + chunk))
            if found:
                db.executemany("UPDATE reuse_pairs SET evidence = ? WHERE a = ? AND b = ?",
                               self._full_rows(found))
        return len(found)

    def compact_evidence(self, limit: int = 2000, after: tuple[int, int] = (0, 0)
                         ) -> tuple[int, int, tuple[int, int] | None]:
        """Rewrite up to ``limit`` stored pairs past ``after`` (their key, ``(a, b)``)
        whose evidence holds the passages' text into offsets alone, where each passage is
        its article's stored text at its offsets (others are left as they are): an
        explicit, resumable compaction of a store written before offsets were stored.
        Returns (pairs read, pairs rewritten, the last key read; None when done)."""
        changes: list[tuple[str, int, int]] = []
        with self._store.transaction() as db:  # read and rewritten in one state
            rows = [(int(a), int(b), int(d), int(s), str(ev)) for a, b, d, s, ev in db.execute(
                "SELECT a, b, derived, source, evidence FROM reuse_pairs WHERE (a, b) > (?, ?) "
                "ORDER BY a, b LIMIT ?", (*after, limit))]
            old = [r for r in rows if r[4].startswith("[{")]
            texts = self._texts({i for r in old for i in (r[2], r[3])})
            for a, b, derived, source, evidence in old:
                edge = Edge(derived, source, "", 0.0, 0.0, None)
                edge.evidence = _passages(json.loads(evidence))
                compact = offsets_json(edge, texts)
                # Only where reading it back gives the same characters as stored.
                if compact is not None and evidence_json(edge.evidence) == evidence:
                    changes.append((compact, a, b))
            db.executemany("UPDATE reuse_pairs SET evidence = ? WHERE a = ? AND b = ?", changes)
        if not rows:
            return 0, 0, None
        return len(rows), len(changes), (rows[-1][0], rows[-1][1])

    def _texts(self, article_ids: Iterable[int]) -> dict[int, str]:
        """The stored clean text of each article given (absent: not stored)."""
        out: dict[int, str] = {}
        for chunk in chunks(sorted(set(article_ids))):
            marks = ",".join("?" * len(chunk))
            for article_id, text in self._db.execute(
                    f"SELECT id, text FROM articles WHERE id IN ({marks})", chunk):
                out[int(article_id)] = text
        return out

    def _full_rows(self, found: Sequence[tuple[int, int, int, int, str]]
                   ) -> list[tuple[str, int, int]]:
        texts = self._texts({i for r in found for i in (r[2], r[3])})
        return [(evidence_json(_filled(json.loads(ev), d, s, texts)), a, b)
                for a, b, d, s, ev in found]

    def pairs(self, article_ids: Iterable[int] | None = None,
              kinds: Sequence[str] | None = None, *, evidence: bool = True) -> list[Edge]:
        """Stored pair relations touching ``article_ids`` (all if None), of ``kinds``.

        ``evidence=False`` leaves out the reasons and aligned passages (the edges come
        with empty lists): what the provenance graph reads to choose sources, where
        decoding every pair's passages cost more than choosing. Passages stored as offsets
        take their text from the articles' stored texts (read for each batch of pairs)."""
        sql = ("SELECT derived, source, kind, score, confidence, shared_fraction, attribution"
               + (", reasons, evidence" if evidence else "") + " FROM reuse_pairs")
        where: list[str] = []
        params: list[object] = []
        if kinds is not None:
            where.append(f"kind IN ({','.join('?' * len(kinds))})")
            params.extend(kinds)
        out: list[Edge] = []
        if article_ids is None:
            batches: list[list[int] | None] = [None]
        else:
            batches = list(chunks(sorted(set(article_ids))))
        seen: set[tuple[int, int]] = set()
        # The pairs and the texts filling their passages: read in one state of the store.
        with read_snapshot(self._db) if evidence else nullcontext():
            for chunk in batches:
                self._read_batch(sql, where, params, chunk, evidence, seen, out)
        return out

    def _read_batch(self, sql: str, where: list[str], params: list[object],
                    chunk: list[int] | None, evidence: bool, seen: set[tuple[int, int]],
                    out: list[Edge]) -> None:
        """One query of :meth:`pairs` (the pairs touching ``chunk``), into ``out``."""
        clauses = list(where)
        args = list(params)
        if chunk is not None:
            marks = ",".join("?" * len(chunk))
            clauses.append(f"(a IN ({marks}) OR b IN ({marks}))")
            args.extend(chunk + chunk)
        query = sql + (" WHERE " + " AND ".join(clauses) if clauses else "")
        rows = []
        for row in self._db.execute(query + " ORDER BY a, b", args):
            key = (int(row[0]), int(row[1]))
            if key in seen:
                continue
            seen.add(key)
            if not evidence:
                out.append(_bare_edge(row))
                continue
            rows.append(row)
            if len(rows) >= _TEXT_BATCH:
                out.extend(self._edges(rows))
                rows = []
        out.extend(self._edges(rows))

    def _edges(self, rows: Sequence[sqlite3.Row | tuple[object, ...]]) -> list[Edge]:
        """Edges of rows read with their evidence, offsets-only passages filled in."""
        decoded = [json.loads(str(row[8])) for row in rows]
        wanted = {int(row[i]) for row, items in zip(rows, decoded, strict=True)  # type: ignore[call-overload]
                  if items and type(items[0]) is list for i in (0, 1)}
        texts = self._texts(wanted) if wanted else {}
        out = []
        for row, items in zip(rows, decoded, strict=True):
            edge = _bare_edge(row)
            edge.reasons = json.loads(str(row[7]))
            edge.evidence = (_filled(items, edge.derived, edge.source, texts)
                             if items and type(items[0]) is list else _passages(items))
            out.append(edge)
        return out

    def published(self, article_ids: Iterable[int]) -> dict[int, str | None]:
        """The publication time of each stored article given (absent: not stored): what
        the graph reads of an article to choose its sources, without the article."""
        out: dict[int, str | None] = {}
        for chunk in chunks(sorted(set(article_ids))):
            marks = ",".join("?" * len(chunk))
            for article_id, published in self._db.execute(
                f"SELECT id, published FROM articles WHERE id IN ({marks})", chunk
            ):
                out[int(article_id)] = published
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


def evidence_json(evidence: Sequence[Evidence]) -> str:
    """``json.dumps([e.to_dict() for e in evidence], ensure_ascii=False)``, the same
    characters, written out: the dictionaries of every passage were most of what saving
    a pair cost (a pair has up to ``relation.MAX_EVIDENCE`` passages on each side). Each
    string goes through the encoder ``json.dumps`` uses for it, each number through the
    ``repr`` it uses; anything else (a value of another type, a score that is not a
    finite float) goes the long way."""
    parts = []
    for item in evidence:
        d, s, score = item.derived_passage, item.source_passage, round(item.score, 4)
        if not (type(d.article) is type(d.start) is type(d.end) is int
                and type(s.article) is type(s.start) is type(s.end) is int
                and type(d.text) is type(s.text) is type(item.kind) is str
                and type(score) is float and math.isfinite(score)):
            return json.dumps([x.to_dict() for x in evidence], ensure_ascii=False)
        parts.append(
            f'{{"derived_passage": {{"article": {d.article}, "start": {d.start}, '
            f'"end": {d.end}, "text": {_string(d.text)}}}, "source_passage": '
            f'{{"article": {s.article}, "start": {s.start}, "end": {s.end}, '
            f'"text": {_string(s.text)}}}, "score": {_float(score)}, '
            f'"kind": {_string(item.kind)}}}')
    return "[" + ", ".join(parts) + "]"


def _log_changes(db: sqlite3.Connection, model: str, article_ids: Sequence[int]) -> None:
    db.executemany("INSERT INTO vector_changes (article_id, model) VALUES (?, ?)",
                   [(i, model) for i in article_ids])


def _bare_edge(row: sqlite3.Row | tuple[object, ...]) -> Edge:
    return Edge(
        derived=int(row[0]),  # type: ignore[call-overload]
        source=int(row[1]),  # type: ignore[call-overload]
        kind=str(row[2]),
        score=float(row[3]),  # type: ignore[arg-type]
        confidence=float(row[4]),  # type: ignore[arg-type]
        shared_fraction=float(row[5]),  # type: ignore[arg-type]
        attribution=None if row[6] is None else str(row[6]),
    )


def _passages(items: Sequence[dict[str, Any]]) -> list[Evidence]:
    """Evidence stored with its passages' text (every store before offsets alone)."""
    return [
        Evidence(
            derived_passage=Passage(**e["derived_passage"]),
            source_passage=Passage(**e["source_passage"]),
            score=float(e["score"]),
            kind=e.get("kind", "verbatim"),
        )
        for e in items
    ]


def _filled(items: Sequence[Sequence[Any]], derived: int, source: int,
            texts: Mapping[int, str]) -> list[Evidence]:
    """Evidence stored as offsets (:func:`offsets_json`), its text taken from the articles'."""
    d_text, s_text = texts[derived], texts[source]
    return [Evidence(Passage(derived, ds, de, d_text[ds:de]),
                     Passage(source, ss, se, s_text[ss:se]), float(score), kind)
            for ds, de, ss, se, score, kind in items]


def offsets_json(edge: Edge, texts: Mapping[int, str]) -> str | None:
    """The pair's evidence as offsets alone, ``[[derived start, derived end, source start,
    source end, score, kind], ...]`` (the score as :func:`evidence_json` writes it), or
    None unless reading it back gives exactly ``edge.evidence``: each passage of the
    pair's own article and equal to that article's text (``texts``) at its offsets.
    (A pair without evidence stays ``[]``, the same in either form.)"""
    if not edge.evidence:
        return None
    d_text, s_text = texts.get(edge.derived), texts.get(edge.source)
    if d_text is None or s_text is None:
        return None
    parts = []
    for item in edge.evidence:
        d, s, score = item.derived_passage, item.source_passage, round(item.score, 4)
        if not (d.article == edge.derived and s.article == edge.source
                and type(d.start) is type(d.end) is type(s.start) is type(s.end) is int
                and type(score) is float and math.isfinite(score)
                and type(item.kind) is str and type(d.text) is type(s.text) is str
                and d.start >= 0 and s.start >= 0
                and d_text[d.start:d.end] == d.text and s_text[s.start:s.end] == s.text):
            return None
        parts.append(f"[{d.start}, {d.end}, {s.start}, {s.end}, {_float(score)}, "
                     f"{_string(item.kind)}]")
    return "[" + ", ".join(parts) + "]"
