"""The embedded default store: one SQLite file, WAL mode, forward migrations."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from newsweave.errors import StoreError
from newsweave.model import Article, Removal
from newsweave.store.crosscheck import CrosscheckTables
from newsweave.store.extract import ExtractTables
from newsweave.store.migrations import MIGRATIONS
from newsweave.store.reuse import ReuseTables
from newsweave.store.search import SearchTables
from newsweave.store.sql import chunks
from newsweave.store.stories import StoriesTables

_ARTICLE_COLUMNS = (
    "id, content_hash, raw_format, text, source, external_id, title, outlet, outlet_how, url, "
    "author, published, published_how, language, metadata, ingested_at"
)


class SQLiteStore:
    """A newsweave store in one SQLite file.

    Every batch is written in one ``BEGIN IMMEDIATE`` transaction, so a crash
    or Ctrl-C at any moment leaves the file as it was before the batch or
    after it, never in between.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        if path != ":memory:":
            parent = Path(path).expanduser().resolve().parent
            if not parent.is_dir():
                raise StoreError(f"{path}: folder {parent} does not exist")
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, so a batch
            # is exactly one transaction and nothing commits behind our back.
            self._db = sqlite3.connect(path, isolation_level=None, timeout=30)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA foreign_keys = ON")
            self._db.execute("PRAGMA busy_timeout = 30000")
            mode = self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            # NORMAL is crash-safe in WAL mode (an application crash loses
            # nothing committed); only power loss may drop the last batch.
            self._db.execute("PRAGMA synchronous = NORMAL")
            # 64 MiB of page cache (the default is 2 MiB): the index lookups of a large store
            # (MinHash bands, sentence keys, story keys) then find their B-tree pages in memory.
            self._db.execute("PRAGMA cache_size = -65536")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: not a newsweave store ({exc})") from None
        if path != ":memory:" and mode.lower() != "wal":
            raise StoreError(f"{path}: could not switch the store to WAL mode (got {mode})")
        self._migrate()
        self.reuse = ReuseTables(self)
        self.stories = StoriesTables(self)
        self.extract = ExtractTables(self)
        self.crosscheck = CrosscheckTables(self)
        self.search = SearchTables(self)

    # -- schema ---------------------------------------------------------------

    @property
    def schema_version(self) -> int:
        row = self._db.execute("SELECT max(version) FROM schema_version").fetchone()
        return int(row[0] or 0)

    def _migrate(self) -> None:
        tables = {
            r[0] for r in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        if tables and "schema_version" not in tables:
            raise StoreError(
                f"{self.path}: an SQLite file that is not a newsweave store "
                f"(tables: {', '.join(sorted(tables)[:5])}); choose another --db path"
            )
        with self.transaction():
            self._db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        current = self.schema_version
        if current > len(MIGRATIONS):
            raise StoreError(
                f"{self.path}: store schema version {current} is newer than this newsweave "
                f"supports ({len(MIGRATIONS)}); upgrade newsweave"
            )
        for version, script in enumerate(MIGRATIONS[current:], start=current + 1):
            with self.transaction():
                for statement in _split_sql(script):
                    self._db.execute(statement)
                self._db.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; nested uses join the outer one.

        A stage wraps its result writes and :meth:`mark_done` in one
        transaction, so its results and its progress can never disagree.
        """
        if self._db.in_transaction:
            yield self._db
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- articles -------------------------------------------------------------

    def add_articles(
        self, articles: Sequence[Article], line_keys: Sequence[Mapping[str, bool]]
    ) -> list[int]:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        ids: list[int] = []
        with self.transaction() as db:
            for article, keys in zip(articles, line_keys, strict=True):
                cursor = db.execute(
                    "INSERT INTO articles (content_hash, raw, raw_format, text, source, "
                    "external_id, title, outlet, outlet_how, url, author, published, "
                    "published_how, language, metadata, ingested_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        article.content_hash, article.raw, article.raw_format, article.text,
                        article.source, article.external_id, article.title, article.outlet,
                        article.outlet_how, article.url, article.author, article.published,
                        article.published_how, article.language,
                        json.dumps(article.metadata, ensure_ascii=False, sort_keys=True), now,
                    ),
                )
                article_id = int(cursor.lastrowid or 0)
                self._write_removals(article_id, article.removed)
                self._write_line_keys(article_id, article.outlet, keys)
                ids.append(article_id)
        return ids

    def _write_removals(self, article_id: int, removed: Sequence[Removal]) -> None:
        self._db.execute("DELETE FROM removals WHERE article_id = ?", (article_id,))
        self._db.executemany(
            "INSERT INTO removals (article_id, seq, reason, text) VALUES (?, ?, ?, ?)",
            [(article_id, i, r.reason, r.text) for i, r in enumerate(removed)],
        )

    def _write_line_keys(
        self, article_id: int, outlet: str | None, keys: Mapping[str, bool]
    ) -> None:
        self._db.execute("DELETE FROM outlet_lines WHERE article_id = ?", (article_id,))
        if outlet:
            self._db.executemany(
                "INSERT INTO outlet_lines (outlet, line_key, article_id, in_body) "
                "VALUES (?, ?, ?, ?)",
                [(outlet, key, article_id, int(in_body)) for key, in_body in keys.items()],
            )

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
        return self._to_article(row) if row else None

    def iter_articles(self, *, outlet: str | None = None) -> Iterator[Article]:
        sql = f"SELECT {_ARTICLE_COLUMNS} FROM articles"
        params: tuple[str, ...] = ()
        if outlet is not None:
            sql += " WHERE outlet = ?"
            params = (outlet,)
        for row in self._db.execute(sql + " ORDER BY id", params).fetchall():
            yield self._to_article(row)

    def count_articles(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM articles").fetchone()[0])

    def _to_article(self, row: sqlite3.Row) -> Article:
        removed = [
            Removal(text=r["text"], reason=r["reason"])
            for r in self._db.execute(
                "SELECT reason, text FROM removals WHERE article_id = ? ORDER BY seq", (row["id"],)
            )
        ]
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

    # -- recurring lines ------------------------------------------------------

    def recurring_lines(self, outlet: str, min_articles: int) -> frozenset[str]:
        rows = self._db.execute(
            "SELECT line_key FROM outlet_lines WHERE outlet = ? GROUP BY line_key "
            "HAVING count(*) >= ?",
            (outlet, min_articles),
        )
        return frozenset(r[0] for r in rows)

    def articles_with_lines(self, outlet: str, keys: Iterable[str]) -> list[int]:
        ids: set[int] = set()
        for chunk in chunks(keys):
            marks = ",".join("?" * len(chunk))
            ids.update(
                int(r[0])
                for r in self._db.execute(
                    f"SELECT DISTINCT article_id FROM outlet_lines "
                    f"WHERE outlet = ? AND in_body = 1 AND line_key IN ({marks})",
                    (outlet, *chunk),
                )
            )
        return sorted(ids)

    def replace_clean_text(
        self, updates: Sequence[tuple[int, str, list[Removal], Mapping[str, bool]]]
    ) -> None:
        with self.transaction() as db:
            for article_id, text, removed, keys in updates:
                row = db.execute("SELECT outlet FROM articles WHERE id = ?", (article_id,))
                outlet = row.fetchone()[0]
                db.execute("UPDATE articles SET text = ? WHERE id = ?", (text, article_id))
                self._write_removals(article_id, removed)
                self._write_line_keys(article_id, outlet, keys)
                # A new body invalidates what every stage derived from the old one.
                db.execute("DELETE FROM stage_runs WHERE article_id = ?", (article_id,))

    # -- stage progress -------------------------------------------------------

    def pending(self, stage: str, version: int) -> list[int]:
        """Ids of articles that ``stage`` (at ``version``) has not processed yet."""
        rows = self._db.execute(
            "SELECT a.id FROM articles a LEFT JOIN stage_runs r "
            "ON r.article_id = a.id AND r.stage = ? AND r.version = ? "
            "WHERE r.article_id IS NULL ORDER BY a.id",
            (stage, version),
        )
        return [int(r[0]) for r in rows]

    def mark_done(self, stage: str, article_ids: Iterable[int], version: int) -> None:
        with self.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO stage_runs (stage, article_id, version) VALUES (?, ?, ?)",
                [(stage, i, version) for i in article_ids],
            )

    # -- housekeeping ---------------------------------------------------------

    def check_integrity(self) -> list[str]:
        problems = [r[0] for r in self._db.execute("PRAGMA integrity_check") if r[0] != "ok"]
        problems += [
            f"foreign key violation in {r[0]} (row {r[1]})"
            for r in self._db.execute("PRAGMA foreign_key_check")
        ]
        empty = self._db.execute("SELECT count(*) FROM articles WHERE text = ''").fetchone()[0]
        if empty:
            problems.append(f"{empty} article(s) with an empty body")
        return problems

    def close(self) -> None:
        self._db.close()


def _split_sql(script: str) -> list[str]:
    """Statements of a migration script (none of ours has a ';' inside a literal).

    A trigger's body holds ';'-terminated statements of its own: pieces are joined
    until SQLite says the statement is complete.
    """
    statements: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \t\n;"):
                statements.append(pending.strip().rstrip(";").strip())
            pending = ""
    if pending.strip(" \t\n;"):
        statements.append(pending.strip().rstrip(";").strip())
    return statements
