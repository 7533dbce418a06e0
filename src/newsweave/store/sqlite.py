"""The embedded default store: one SQLite file, WAL mode, forward migrations."""

from __future__ import annotations

import json
import logging
import random
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from newsweave.errors import StoreBusyError, StoreError
from newsweave.model import Article, Removal
from newsweave.store.crosscheck import CrosscheckTables
from newsweave.store.extract import ExtractTables
from newsweave.store.migrations import MIGRATIONS
from newsweave.store.progress import CLEANED, StageProgress
from newsweave.store.reuse import ReuseTables
from newsweave.store.search import SearchTables
from newsweave.store.sql import chunks
from newsweave.store.stories import StoriesTables

_ARTICLE_COLUMNS = (
    "id, content_hash, raw_format, text, source, external_id, title, outlet, outlet_how, url, "
    "author, published, published_how, language, metadata, ingested_at"
)
log = logging.getLogger(__name__)
# An article's cleaning results written with it: id, outlet, removal log, line keys.
_Body = tuple[int, str | None, Sequence[Removal], Mapping[str, bool]]

# SQLite waits this long for a lock by itself (busy_timeout); a write transaction that
# still cannot start is retried with backoff until WRITE_PATIENCE seconds have passed.
BUSY_TIMEOUT_MS = 5000
PAGE = 500  # articles read per query when listing
WRITE_PATIENCE = 600.0


class SQLiteStore:
    """A newsweave store in one SQLite file.

    Every batch is written in one ``BEGIN IMMEDIATE`` transaction, so a crash
    or Ctrl-C at any moment leaves the file as it was before the batch or
    after it, never in between.
    """

    def __init__(self, path: str, *, readonly: bool = False, create: bool = True) -> None:
        self.path = path
        self.readonly = readonly
        self.patience = WRITE_PATIENCE
        self._savepoints = 0
        # See recurring_lines: per outlet, min_articles -> the outlet's recurring lines; the
        # line keys this connection wrote for each cached outlet since; the data_version
        # they were counted at.
        self._recurring: dict[str, dict[int, frozenset[str]]] = {}
        self._lines_written: dict[str, set[str]] = {}
        self._recurring_state = -1
        memory = path == ":memory:"
        if not memory:
            resolved = Path(path).expanduser().resolve()
            if not resolved.parent.is_dir():
                raise StoreError(f"{path}: folder {resolved.parent} does not exist")
            if (readonly or not create) and not resolved.exists():
                raise StoreError(f"{path}: no store here (create one with: newsweave "
                                 f"--db {path} ingest PATH...)")
        elif readonly:
            raise StoreError(":memory: cannot be opened read-only (it would always be empty)")
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, so a batch
            # is exactly one transaction and nothing commits behind our back.
            if readonly:
                uri = "file:" + quote(str(Path(path).expanduser().resolve())) + "?mode=ro"
                self._db = sqlite3.connect(uri, uri=True, isolation_level=None,
                                           timeout=BUSY_TIMEOUT_MS / 1000)
            else:
                self._db = sqlite3.connect(path, isolation_level=None,
                                           timeout=BUSY_TIMEOUT_MS / 1000)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA foreign_keys = ON")
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            # 64 MiB of page cache (the default is 2 MiB): the index lookups of a large store
            # (MinHash bands, sentence keys, story keys) then find their B-tree pages in memory.
            self._db.execute("PRAGMA cache_size = -65536")
            if readonly:
                self._db.execute("PRAGMA query_only = 1")
                mode = "wal"
            else:
                mode = self._retry_busy(
                    lambda: self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0])
                # NORMAL is crash-safe in WAL mode (an application crash loses
                # nothing committed); only power loss may drop the last batch.
                self._db.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: not a newsweave store ({exc})") from None
        if not memory and mode.lower() != "wal":
            raise StoreError(f"{path}: could not switch the store to WAL mode (got {mode})")
        try:
            if readonly:
                self._check_schema()
            else:
                self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: not a newsweave store ({exc})") from None
        self.progress = StageProgress(self)
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

    def _tables(self) -> set[str]:
        return {r[0] for r in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")}

    def _refuse_foreign(self, tables: set[str]) -> None:
        if tables and "schema_version" not in tables:
            raise StoreError(
                f"{self.path}: an SQLite file that is not a newsweave store "
                f"(tables: {', '.join(sorted(tables)[:5])}); choose another --db path"
            )

    def _refuse_newer(self, current: int) -> None:
        if current > len(MIGRATIONS):
            raise StoreError(
                f"{self.path}: store schema version {current} is newer than this newsweave "
                f"supports ({len(MIGRATIONS)}); upgrade newsweave"
            )

    def _check_schema(self) -> None:
        """Read-only: the store must be a newsweave store at this version (no migrating)."""
        tables = self._tables()
        if not tables:  # an empty file: a first ingest is creating the store, or failed to
            raise StoreError(f"{self.path}: no store here yet (an empty file; create one with: "
                             f"newsweave --db {self.path} ingest PATH...)")
        self._refuse_foreign(tables)
        current = self.schema_version
        self._refuse_newer(current)
        if current < len(MIGRATIONS):
            raise StoreError(
                f"{self.path}: store schema version {current} is older than this newsweave's "
                f"({len(MIGRATIONS)}); upgrade it once with: newsweave --db {self.path} analyze"
            )

    def _migrate(self) -> None:
        """Bring the schema up to date. Every step re-reads the version inside its write
        transaction, so processes opening one store at once never run a migration twice."""
        tables = self._tables()
        self._refuse_foreign(tables)
        if "schema_version" in tables and self.schema_version == len(MIGRATIONS):
            return  # the common case takes no write lock
        # All pending steps in one transaction: a reader opening the store meanwhile sees it
        # as it was or fully upgraded, never half-way (it refuses a half-way version).
        with self.transaction():
            self._refuse_foreign(self._tables())
            self._db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            current = self.schema_version
            self._refuse_newer(current)
            for version in range(current, len(MIGRATIONS)):
                for statement in _split_sql(MIGRATIONS[version]):
                    self._db.execute(statement)
                self._db.execute("INSERT INTO schema_version (version) VALUES (?)",
                                 (version + 1,))

    def refresh_statistics(self, table: str) -> None:
        """``table`` has just taken many rows in the current write transaction. Nothing to
        do on SQLite: its planner uses no statistics the store keeps (no ANALYZE is run),
        and finds a key through its index whatever the table's size."""

    # -- transactions ---------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; a nested use is a savepoint inside the outer one.

        A stage wraps its result writes and :meth:`mark_done` in one
        transaction, so its results and its progress can never disagree. A
        nested block that raises rolls back its own writes only (and the
        exception goes on to the outer block).
        """
        if self._db.in_transaction:
            self._savepoints += 1
            name = f"nested_{self._savepoints}"
            self._db.execute(f"SAVEPOINT {name}")
            try:
                yield self._db
            except BaseException:
                self._forget_recurring()  # the rolled-back line keys were counted in
                self._db.execute(f"ROLLBACK TO {name}")
                self._db.execute(f"RELEASE {name}")
                raise
            finally:
                self._savepoints -= 1
            self._db.execute(f"RELEASE {name}")
            return
        if self.readonly:
            raise StoreError(f"{self.path}: opened read-only, cannot write")
        self._retry_busy(lambda: self._db.execute("BEGIN IMMEDIATE"))
        try:
            yield self._db
        except BaseException:
            self._forget_recurring()
            self._db.execute("ROLLBACK")
            raise
        try:
            self._retry_busy(lambda: self._db.execute("COMMIT"))
        except BaseException:  # not committed: what was counted in may not stay
            self._forget_recurring()
            raise

    @contextmanager
    def waiting_at_most(self, seconds: float) -> Iterator[None]:
        """Writes inside give up (:class:`StoreBusyError`) after ``seconds`` of waiting for
        the lock: for writes that can be skipped, like a cache."""
        before = self.patience
        self.patience = seconds
        self._db.execute(f"PRAGMA busy_timeout = {int(min(seconds * 1000, BUSY_TIMEOUT_MS))}")
        try:
            yield
        finally:
            self.patience = before
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def _retry_busy(self, action):  # type: ignore[no-untyped-def]
        """Run ``action``; while SQLite says the store is busy, retry with backoff."""
        deadline = time.monotonic() + self.patience
        delay = 0.05
        while True:
            try:
                return action()
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise StoreBusyError(
                        f"{self.path}: the store stayed locked by another process for "
                        f"{self.patience:.0f} s; try again when it has finished") from None
                log.debug("store busy, retrying in %.2f s", delay)
                time.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 2.0)

    # -- articles -------------------------------------------------------------

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

    # -- recurring lines ------------------------------------------------------

    def recurring_lines(self, outlet: str, min_articles: int) -> frozenset[str]:
        # Counting an outlet's lines reads all its rows, and ingest asks once per article
        # and outlet (an archive's large outlets hold tens of thousands of rows: at 100k
        # articles the counts were a growing part of each batch). The answer is kept, and
        # this connection's own writes of line keys are counted in key by key: only a key
        # written can cross the floor (_lines_written, from _write_line_keys; a rolled-back
        # transaction forgets everything). PRAGMA data_version moves when another
        # connection commits: then everything is counted again.
        # (PostgreSQL has no such counter: its store's _data_state is None and it asks
        # every time.)
        state = self._data_state()
        if state is None:
            return self._count_recurring(outlet, min_articles)
        if state[1] != self._recurring_state:
            self._forget_recurring()
            self._recurring_state = state[1]
        cached = self._recurring.setdefault(outlet, {})
        written = self._lines_written.pop(outlet, None)
        if written:
            for floor, found in cached.items():
                cached[floor] = self._recount_recurring(outlet, floor, found, written)
        found = cached.get(min_articles)
        if found is None:
            found = cached[min_articles] = self._count_recurring(outlet, min_articles)
        return found

    def _forget_recurring(self) -> None:
        if getattr(self, "_recurring", None):
            self._recurring.clear()
            self._lines_written.clear()

    def _recount_recurring(self, outlet: str, min_articles: int, found: frozenset[str],
                           keys: set[str]) -> frozenset[str]:
        """``found`` (the outlet's recurring lines before ``keys`` were written) with
        those keys counted again: the rows of those keys only."""
        now: set[str] = set()
        for chunk in chunks(sorted(keys)):
            marks = ",".join("?" * len(chunk))
            now.update(r[0] for r in self._db.execute(
                f"SELECT line_key FROM outlet_lines WHERE outlet = ? AND line_key IN ({marks}) "
                f"GROUP BY line_key HAVING count(*) >= ?", (outlet, *chunk, min_articles)))
        return frozenset((found - keys) | now)

    def _count_recurring(self, outlet: str, min_articles: int) -> frozenset[str]:
        rows = self._db.execute(
            "SELECT line_key FROM outlet_lines WHERE outlet = ? GROUP BY line_key "
            "HAVING count(*) >= ?",
            (outlet, min_articles),
        )
        return frozenset(r[0] for r in rows)

    def _data_state(self) -> tuple[int, int] | None:
        """A value that changes whenever a row of the store may have changed (see
        :meth:`recurring_lines`), or None where the database keeps no such counter."""
        return (self._db.total_changes,
                self._db.execute("PRAGMA data_version").fetchone()[0])

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
            stored: dict[int, tuple[str | None, str]] = {}
            for chunk in chunks(list(dict.fromkeys(u[0] for u in updates))):
                marks = ",".join("?" * len(chunk))
                for row in db.execute(f"SELECT id, outlet, text FROM articles WHERE id IN "
                                      f"({marks})", chunk):
                    stored[int(row[0])] = (row[1], row[2])
            changed: list[int] = []
            bodies: dict[int, _Body] = {}  # the last update of each article is the one kept
            for article_id, text, removed, keys in updates:
                row = stored.get(article_id)
                if row is None or row[1] == text:
                    continue  # another process re-cleaned it first: its stages stay done
                stored[article_id] = (row[0], text)
                bodies[article_id] = (article_id, row[0], removed, keys)
                changed.append(article_id)
            # Pairs keep their passages as offsets into the texts: the text being replaced
            # is written into them first, so they read the same until the reuse stage
            # relates these articles again (and replaces their pairs).
            self.reuse.keep_passage_text(bodies)
            db.executemany("UPDATE articles SET text = ? WHERE id = ?",
                           [(stored[i][1], i) for i in bodies])
            self._write_bodies(list(bodies.values()))
            # A new body invalidates what every stage derived from the old one.
            for chunk in chunks(list(bodies)):
                marks = ",".join("?" * len(chunk))
                db.execute(f"DELETE FROM stage_runs WHERE article_id IN ({marks})", chunk)
            self.progress.revoke(changed)
            self._cleaned(db, changed)

    # -- stage progress (store/progress.py) -----------------------------------

    def pending(self, stage: str, version: int) -> list[int]:
        """Ids of articles that ``stage`` (at ``version``) has not processed yet."""
        return self.progress.pending(stage, version)

    def count_pending(self, stage: str, version: int,
                      after: Sequence[tuple[str, int]] = ()) -> int:
        return self.progress.count_pending(stage, version, after)

    def claim(self, stage: str, version: int, limit: int,
              after: Sequence[tuple[str, int]] = ()) -> list[int]:
        return self.progress.claim(stage, version, limit, after)

    def release_claims(self) -> None:
        self.progress.release()

    def mark_done(self, stage: str, article_ids: Iterable[int], version: int) -> None:
        self.progress.mark_done(stage, article_ids, version)

    def record_errors(self, stage: str, version: int, errors: Mapping[int, str]) -> None:
        self.progress.record_errors(stage, version, dict(errors))

    def retry_errors(self) -> None:
        self.progress.retry_errors()

    def invalidate(self, stage: str, article_ids: Iterable[int], reason: str) -> None:
        self.progress.invalidate(stage, article_ids, reason)

    def invalidated(self, stage: str, limit: int | None = None) -> list[int]:
        return self.progress.invalidated(stage, limit)

    def clear_invalidated(self, stage: str, article_ids: Iterable[int]) -> None:
        self.progress.clear_invalidated(stage, article_ids)

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
        return problems + self.progress.problems()

    def stages_done(self, article_ids: Sequence[int]) -> dict[int, list[tuple[str, int]]]:
        """(stage, version) pairs that have finished each of the articles."""
        return self.progress.done(article_ids)

    def stage_coverage(self) -> dict[str, int]:
        """Articles each stage has finished, by stage name."""
        return self.progress.coverage()

    def stage_errors(self) -> list[dict[str, object]]:
        """Stored stage errors (stage, article, attempts, error, at), newest first."""
        return self.progress.errors()

    def close(self) -> None:
        self._db.close()


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


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
