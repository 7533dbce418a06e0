"""The reuse stage's pairs: each related article pair's relation and aligned passages,
stored as offsets into the articles' texts where they are exactly those texts.

A part of :class:`newsweave.store.reuse.ReuseTables` (its base class), not to be used on
its own: the methods read ``_db`` and ``_store``, which the tables set.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from contextlib import nullcontext
from json.encoder import encode_basestring as _string  # json.dumps' (ensure_ascii=False)
from typing import TYPE_CHECKING, Any

from newsweave.model import Edge, Evidence, Passage
from newsweave.store.sql import chunks, read_snapshot

if TYPE_CHECKING:
    from newsweave.store.sqlite import SQLiteStore

_float = float.__repr__  # how json.dumps writes a float
_TEXT_BATCH = 2000  # pairs read with their evidence per read of their articles' texts


class ReusePairTables:
    """The pairs' methods (see :class:`newsweave.store.reuse.ReuseTables`)."""

    _store: SQLiteStore
    _db: sqlite3.Connection

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

    def links_among(self, article_ids: Iterable[int], kinds: Sequence[str]
                    ) -> list[tuple[int, int, str, float]]:
        """``(derived, source, kind, shared_fraction)`` of the stored pairs of ``kinds``
        whose two articles are both among ``article_ids``, by ``(a, b)``: the links a
        re-clustering of those articles reads (the stories' repair), which needs neither the
        pairs reaching outside them nor an :class:`Edge` for each (a repair at 690,000
        articles read 400,000 pairs a shard: docs/benchmarks.md, "Archive scale, part
        27"). Each pair is read once, through its smaller id (``a < b``)."""
        ids = set(article_ids)
        if not ids or not kinds:
            return []
        kind_marks = ",".join("?" * len(kinds))
        out: list[tuple[int, int, str, float]] = []
        for chunk in chunks(sorted(ids)):
            marks = ",".join("?" * len(chunk))
            for b, derived, source, kind, shared in self._db.execute(
                    f"SELECT b, derived, source, kind, shared_fraction FROM reuse_pairs "
                    f"WHERE a IN ({marks}) AND kind IN ({kind_marks}) ORDER BY a, b",
                    [*chunk, *kinds]):
                if b in ids:
                    out.append((int(derived), int(source), str(kind), float(shared)))
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
