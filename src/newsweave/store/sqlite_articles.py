"""The articles of a store: insert (with their removal logs and line keys), read, list.

A part of :class:`newsweave.store.sqlite.SQLiteStore` (its base class), not to be used on
its own: the methods read ``_db``, ``transaction`` and ``progress``, which the store sets
(PostgreSQL's store runs the same SQL through its translating connection).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from newsweave.model import Article, Removal
from newsweave.store.progress import CLEANED, StageProgress
from newsweave.store.reuse import ReuseTables
from newsweave.store.sql import chunks

_ARTICLE_COLUMNS = (
    "id, content_hash, raw_format, text, source, external_id, title, outlet, outlet_how, url, "
    "author, published, published_how, language, metadata, ingested_at"
)
# An article's cleaning results written with it: id, outlet, removal log, line keys.
_Body = tuple[int, str | None, Sequence[Removal], Mapping[str, bool]]
PAGE = 500  # articles read per query when listing


class SQLiteArticles:
    """The store's article methods (see :class:`newsweave.store.sqlite.SQLiteStore`)."""

    _db: sqlite3.Connection
    progress: StageProgress
    reuse: ReuseTables
    # Set by the SQLite store only (recurring_lines' cache): absent on PostgreSQL's.
    _recurring: dict[str, dict[int, frozenset[str]]]
    _lines_written: dict[str, set[str]]

    if TYPE_CHECKING:
        def transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...

    def add_articles(
        self, articles: Sequence[Article], line_keys: Sequence[Mapping[str, bool]]
    ) -> list[int]:
        """Insert new articles (one already stored fails the whole batch); return their ids."""
        return [i for i, _ in self._insert(articles, line_keys, skip_known=False)]

    def insert_new_articles(
        self, articles: Sequence[Article], line_keys: Sequence[Mapping[str, bool]]
    ) -> list[tuple[int, bool]]:
        """Insert the articles not stored yet, in one transaction; per article its id and
        whether it is new. The duplicate check runs under the write lock, so processes
        ingesting the same content at once store it once and both learn its id."""
        return self._insert(articles, line_keys, skip_known=True)

    def _insert(self, articles: Sequence[Article], line_keys: Sequence[Mapping[str, bool]],
                *, skip_known: bool) -> list[tuple[int, bool]]:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        out: list[tuple[int, bool]] = []
        conflict = " ON CONFLICT (content_hash) DO NOTHING" if skip_known else ""
        written: list[_Body] = []
        with self.transaction() as db:
            for article, keys in zip(articles, line_keys, strict=True):
                cursor = db.execute(
                    "INSERT INTO articles (content_hash, raw, raw_format, text, source, "
                    "external_id, title, outlet, outlet_how, url, author, published, "
                    "published_how, language, metadata, ingested_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" + conflict,
                    (
                        article.content_hash, article.raw, article.raw_format, article.text,
                        article.source, article.external_id, article.title, article.outlet,
                        article.outlet_how, article.url, article.author, article.published,
                        article.published_how, article.language,
                        json.dumps(article.metadata, ensure_ascii=False, sort_keys=True), now,
                    ),
                )
                if cursor.rowcount == 0:
                    row = db.execute("SELECT id FROM articles WHERE content_hash = ?",
                                     (article.content_hash,)).fetchone()
                    out.append((int(row[0]), False))
                    continue
                article_id = int(cursor.lastrowid or 0)
                written.append((article_id, article.outlet, article.removed, keys))
                out.append((article_id, True))
            self._write_bodies(written)
            self._cleaned(db, [i for i, new in out if new])
        return out

    def _cleaned(self, db: sqlite3.Connection, article_ids: list[int]) -> None:
        """Mark articles just stored (or re-cleaned) done for the cleaning stage, and log it."""
        stage, version = CLEANED
        self.progress.reopen(db, article_ids)
        db.executemany(
            "INSERT OR REPLACE INTO stage_runs (stage, article_id, version) VALUES (?, ?, ?)",
            [(stage, i, version) for i in article_ids])
        self.progress.log(stage, article_ids, version)

    def _write_bodies(self, bodies: Sequence[_Body]) -> None:
        """The removal logs and line keys of articles just stored or re-cleaned (replacing
        what they had), a statement per table for the whole batch rather than per article
        (each a round trip on PostgreSQL). One article at most once."""
        ids = [b[0] for b in bodies]
        # The keys whose counts change, for the cached outlets (a PostgreSQL store, which
        # caches nothing, has no such attributes).
        if getattr(self, "_recurring", None):
            for chunk in chunks(ids):
                marks = ",".join("?" * len(chunk))
                for old_outlet, key in self._db.execute(
                        f"SELECT outlet, line_key FROM outlet_lines WHERE article_id IN "
                        f"({marks})", chunk):
                    if old_outlet in self._recurring:
                        self._lines_written.setdefault(old_outlet, set()).add(key)
            for _, outlet, _, keys in bodies:
                if outlet in self._recurring:
                    self._lines_written.setdefault(outlet, set()).update(keys)
        for chunk in chunks(ids):
            marks = ",".join("?" * len(chunk))
            self._db.execute(f"DELETE FROM removals WHERE article_id IN ({marks})", chunk)
            self._db.execute(f"DELETE FROM outlet_lines WHERE article_id IN ({marks})", chunk)
        self._db.executemany(
            "INSERT INTO removals (article_id, seq, reason, text) VALUES (?, ?, ?, ?)",
            [(article_id, i, r.reason, r.text)
             for article_id, _, removed, _ in bodies for i, r in enumerate(removed)])
        self._db.executemany(
            "INSERT INTO outlet_lines (outlet, line_key, article_id, in_body) "
            "VALUES (?, ?, ?, ?)",
            [(outlet, key, article_id, int(in_body))
             for article_id, outlet, _, keys in bodies if outlet
             for key, in_body in keys.items()])

    def known_hashes(self, hashes: Iterable[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for chunk in chunks(dict.fromkeys(hashes)):
            marks = ",".join("?" * len(chunk))
            for row in self._db.execute(
                f"SELECT content_hash, id FROM articles WHERE content_hash IN ({marks})", chunk
            ):
                found[row[0]] = int(row[1])
        return found

    def get_article(self, article_id: int, *, raw: bool = False) -> Article | None:
        columns = _ARTICLE_COLUMNS + (", raw" if raw else "")
        row = self._db.execute(
            f"SELECT {columns} FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if not row:
            return None
        return self._to_article(row, self._removals([article_id]).get(article_id, []))

    def get_articles(self, article_ids: Sequence[int], *, raw: bool = False
                     ) -> dict[int, Article]:
        """:meth:`get_article` of each of ``article_ids`` that is stored, in two statements
        per 500 (a stage reading its batch one article at a time made two per article)."""
        columns = _ARTICLE_COLUMNS + (", raw" if raw else "")
        found: dict[int, Article] = {}
        for chunk in chunks(sorted(set(article_ids))):
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT {columns} FROM articles WHERE id IN ({marks})", chunk).fetchall()
            removed = self._removals([int(r["id"]) for r in rows])
            for row in rows:
                found[int(row["id"])] = self._to_article(row, removed.get(int(row["id"]), []))
        return found

    def iter_articles(
        self, *, outlet: str | None = None, language: str | None = None,
        since: str | None = None, until: str | None = None, after: int | None = None,
        limit: int | None = None,
    ) -> Iterator[Article]:
        """Stored articles (without raw input), oldest id first, read a page at a time.

        ``after``: only ids above it (a cursor: pass the last id seen);
        ``since``/``until``: publication dates (ISO, inclusive; an article
        without a date is left out when either is given).
        """
        where, params = [], []
        for clause, value in (("outlet = ?", outlet), ("language = ?", language),
                              ("published >= ?", since), ("id > ?", after)):
            if value is not None:
                where.append(clause)
                params.append(value)
        if until is not None:
            # "2026-03-01" covers the whole day: every timestamp of it sorts below "...T~".
            where.append("published <= ?")
            params.append(until + "~" if len(until) == 10 else until)
        sql = f"SELECT {_ARTICLE_COLUMNS} FROM articles"
        if where:
            sql += " WHERE " + " AND ".join(where)
        remaining = limit
        last = None
        while remaining is None or remaining > 0:
            page = PAGE if remaining is None else min(PAGE, remaining)
            cursor_sql = sql + (" AND " if where else " WHERE ") + "id > ?" if last else sql
            rows = self._db.execute(cursor_sql + " ORDER BY id LIMIT ?",
                                    (*params, *((last,) if last else ()), page)).fetchall()
            if not rows:
                return
            removals = self._removals([int(r["id"]) for r in rows])
            for row in rows:
                yield self._to_article(row, removals.get(int(row["id"]), []))
            last = int(rows[-1]["id"])
            if remaining is not None:
                remaining -= len(rows)
            if len(rows) < page:
                return

    def _removals(self, article_ids: Sequence[int]) -> dict[int, list[Removal]]:
        out: dict[int, list[Removal]] = {}
        for chunk in chunks(article_ids):
            marks = ",".join("?" * len(chunk))
            for r in self._db.execute(
                f"SELECT article_id, reason, text FROM removals WHERE article_id IN ({marks}) "
                f"ORDER BY article_id, seq", chunk
            ):
                out.setdefault(int(r[0]), []).append(Removal(text=r[2], reason=r[1]))
        return out

    def count_articles(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM articles").fetchone()[0])

    @staticmethod
    def _to_article(row: sqlite3.Row, removed: list[Removal]) -> Article:
        return Article(
            id=row["id"],
            content_hash=row["content_hash"],
            raw=row["raw"] if "raw" in row.keys() else "",  # noqa: SIM118 (Row has no __contains__)
            raw_format=row["raw_format"],
            text=row["text"],
            source=row["source"],
            external_id=row["external_id"],
            title=row["title"],
            outlet=row["outlet"],
            outlet_how=row["outlet_how"],
            url=row["url"],
            author=row["author"],
            published=row["published"],
            published_how=row["published_how"],
            language=row["language"],
            removed=removed,
            metadata=json.loads(row["metadata"]),
            ingested_at=row["ingested_at"],
        )
