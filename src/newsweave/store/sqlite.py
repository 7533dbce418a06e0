"""The embedded default store: one SQLite file, WAL mode, forward migrations."""

from __future__ import annotations

import logging
import random
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from newsweave.errors import StoreBusyError, StoreError
from newsweave.store.crosscheck import CrosscheckTables
from newsweave.store.extract import ExtractTables
from newsweave.store.migrations import MIGRATIONS
from newsweave.store.progress import StageProgress
from newsweave.store.reuse import ReuseTables
from newsweave.store.search import SearchTables

# The article methods and the recurring lines' are the store's base classes, in their own
# modules; _ARTICLE_COLUMNS (which PostgreSQL's store reads) and PAGE are re-exported.
from newsweave.store.sqlite_articles import _ARTICLE_COLUMNS, PAGE, SQLiteArticles
from newsweave.store.sqlite_lines import SQLiteLines
from newsweave.store.stories import StoriesTables

log = logging.getLogger(__name__)

# SQLite waits this long for a lock by itself (busy_timeout); a write transaction that
# still cannot start is retried with backoff until WRITE_PATIENCE seconds have passed.
BUSY_TIMEOUT_MS = 5000
WRITE_PATIENCE = 600.0


class SQLiteStore(SQLiteArticles, SQLiteLines):
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


__all__ = ["BUSY_TIMEOUT_MS", "PAGE", "WRITE_PATIENCE", "_ARTICLE_COLUMNS", "SQLiteStore"]
