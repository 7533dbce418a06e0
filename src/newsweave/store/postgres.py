"""The server store: PostgreSQL behind the same :class:`~newsweave.store.Store` interface.

``open_store("postgresql://user@host/dbname")`` (``--db``, ``NEWSWEAVE_DB``) opens it.
The table modules are the SQLite store's: they issue SQLite's SQL on ``store._db``,
which here is a :class:`Connection` that translates each statement once
(:mod:`newsweave.store.dialect`) and runs it through psycopg 3. Only search
(:mod:`newsweave.store.postgres_search`) has SQL of its own.

The guarantees are SQLite's, kept the same way:

- one write transaction at a time per database: each takes a transaction-level
  advisory lock first (as ``BEGIN IMMEDIATE`` takes SQLite's write lock), so the
  check-then-write steps of the table modules (duplicate content, claims of
  pending work, id counters, the vector change log's commit order) stay exact;
  readers never wait (MVCC, as WAL);
- a lock not granted within a few seconds is retried with backoff until the
  store's patience runs out, then :class:`StoreBusyError` (``waiting_at_most``);
- nested transactions are savepoints;
- migrations run under the same lock, re-reading the version inside it, so
  processes opening a new database at once migrate it once.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from newsweave.errors import StoreBusyError, StoreError
from newsweave.model import Article, Removal
from newsweave.store.crosscheck import CrosscheckTables
from newsweave.store.dialect import translate, translate_script
from newsweave.store.extract import ExtractTables
from newsweave.store.migrations import MIGRATIONS
from newsweave.store.postgres_bulk import BulkForm, bulk_form
from newsweave.store.progress import StageProgress
from newsweave.store.reuse import ReuseTables
from newsweave.store.sqlite import _ARTICLE_COLUMNS, WRITE_PATIENCE, SQLiteStore
from newsweave.store.stories import StoriesTables

log = logging.getLogger(__name__)

WRITE_LOCK = 0x6E657773  # advisory lock key of a database's one writer ("news")
LOCK_SLICE = 5.0  # seconds one attempt waits for the write lock (SQLite's busy_timeout)
CONNECT_TIMEOUT = 10  # seconds
_TUPLES_OK = 2  # psycopg.pq.ExecStatus.TUPLES_OK: a result with rows
STATEMENT_CACHE = 5000  # translated statement texts kept per connection
BULK_ROWS = 50_000  # rows per statement of an executemany


class PostgresError(StoreError):
    """A PostgreSQL error (the ``sqlstate`` says which): like an error of the SQLite
    module, it stops a run rather than failing one batch."""

    def __init__(self, message: str, sqlstate: str | None = None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


def is_postgres(location: str) -> bool:
    """Whether ``location`` names a PostgreSQL database rather than an SQLite file."""
    return location.startswith(("postgresql://", "postgres://"))


def redacted(location: str) -> str:
    """``location`` without its password, for messages and ``store.path``.

    >>> redacted("postgresql://ann:secret@db.example/news")
    'postgresql://ann@db.example/news'
    """
    parts = urlsplit(location)
    if parts.password is None:
        return location
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}@{netloc}" if user else netloc))


class Row(tuple):  # type: ignore[type-arg]
    """A result row read by position or by column name, like :class:`sqlite3.Row`."""

    _index: dict[str, int] = {}  # noqa: RUF012 (set per result shape, see _row_factory)

    def __getitem__(self, key):  # type: ignore[no-untyped-def,override]
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


_ROW_TYPES: dict[tuple[bytes | None, ...], type[Row]] = {}


def _row_factory(cursor: Any) -> Any:
    # The column names from the result itself: cursor.description builds a Column object
    # per column, and this runs once per statement.
    result = cursor.pgresult
    names = tuple(result.fname(i) for i in range(result.nfields)) if result else ()
    kind = _ROW_TYPES.get(names)
    if kind is None:
        index = {(n or b"").decode(): i for i, n in enumerate(names)}
        kind = type("Row", (Row,), {"_index": index})
        _ROW_TYPES[names] = kind
    return kind


class Cursor:
    """The part of :class:`sqlite3.Cursor` the table modules use."""

    def __init__(self, rows: list[Row], rowcount: int, lastrowid: int | None) -> None:
        self._rows = rows
        self.rowcount = rowcount
        self.lastrowid = lastrowid

    def fetchone(self) -> Row | None:
        return self._rows.pop(0) if self._rows else None

    def fetchall(self) -> list[Row]:
        rows, self._rows = self._rows, []
        return rows

    def __iter__(self) -> Iterator[Row]:
        rows, self._rows = self._rows, []
        return iter(rows)


class Connection:
    """A psycopg connection that speaks the SQLite dialect of the table modules."""

    def __init__(self, store: PostgresStore, raw: Any) -> None:
        self._store = store
        self.raw = raw
        self._cursor = raw.cursor()  # one for every statement: each is read in full at once
        self._translated: dict[str, str] = {}
        self._statements: dict[str, tuple[str, bool, bool]] = {}
        self._bulk_forms: dict[str, BulkForm | None] = {}
        self.column_types: dict[tuple[str, str], str] = {}
        self.primary_keys: dict[str, tuple[str, ...]] = {}
        self.identity_tables: set[str] = set()

    @property
    def in_transaction(self) -> bool:
        import psycopg

        return bool(self.raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE)

    def load_catalogue(self) -> None:
        """What translating needs to know of the schema: primary keys (INSERT OR REPLACE),
        the tables with an identity id (``lastrowid``) and column types (bulk inserts)."""
        keys: dict[str, list[str]] = {}
        for table, column in self.raw.execute(
            "SELECT c.relname, a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema() "
            "JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum "
            "WHERE i.indisprimary ORDER BY c.relname, k.ord"
        ):
            keys.setdefault(table, []).append(column)
        self.primary_keys = {t: tuple(c) for t, c in keys.items()}
        self.identity_tables = {r[0] for r in self.raw.execute(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = "
            "current_schema() AND column_name = 'id' AND is_identity = 'YES'")}
        self.column_types = {(r[0], r[1]): r[2] for r in self.raw.execute(
            "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) "
            "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n "
            "ON n.oid = c.relnamespace AND n.nspname = current_schema() "
            "WHERE c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped")}
        self._translated.clear()
        self._statements.clear()
        self._bulk_forms.clear()

    def _sql(self, sql: str) -> str:
        found = self._translated.get(sql)
        if found is None:
            if len(self._translated) > STATEMENT_CACHE:  # IN lists make many distinct texts
                self._translated.clear()
                self._statements.clear()
            found = translate(sql, self.primary_keys)
            self._translated[sql] = found
        return found

    def _statement(self, sql: str) -> tuple[str, bool, bool]:
        """The statement as run, whether it returns a new row's id (``lastrowid``: an
        INSERT into a table with an identity id) and whether it writes."""
        found = self._statements.get(sql)
        if found is None:
            text = self._sql(sql)
            head = text.lstrip()[:12].upper()
            returning = False
            if head.startswith("INSERT INTO") and " RETURNING " not in text.upper():
                table = text.split(None, 3)[2].split("(")[0]
                if table in self.identity_tables:
                    text += " RETURNING id"
                    returning = True
            writes = not head.startswith(("SELECT", "WITH", "SAVEPOINT", "RELEASE",
                                          "ROLLBACK", "BEGIN"))
            found = self._statements[sql] = (text, returning, writes)
        return found

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        text, returning, writes = self._statement(sql)
        if writes and not self.in_transaction:
            with self._store.transaction():  # a lone write takes the write lock too
                return self._run(text, params, returning)
        return self._run(text, params, returning)

    def _run(self, text: str, params: Sequence[Any], returning: bool) -> Cursor:
        import psycopg

        cursor = self._cursor
        try:
            cursor.execute(text, _text_safe(params))
            result = cursor.pgresult
            rows = cursor.fetchall() if result and result.status == _TUPLES_OK else []
        except psycopg.Error as exc:
            raise _store_error(self._store.path, exc) from exc
        lastrowid = None
        if returning:
            lastrowid = int(rows[0][0]) if rows else None
            rows = []
        return Cursor(rows, cursor.rowcount, lastrowid)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]] | Iterator[Any]) -> None:
        import psycopg

        batch = [_text_safe(r) for r in rows]
        if not batch:
            return
        if not self.in_transaction:
            with self._store.transaction():
                self.executemany(sql, batch)
            return
        form = self._bulk(sql)
        try:
            if form is not None:
                # All rows in one statement, a column an array: one round trip and one
                # short, prepared statement instead of one per row.
                try:
                    columns = form.columns(batch)
                except (TypeError, ValueError):
                    columns = None  # rows of different lengths: the row-by-row error
                if columns is not None and self._run_bulk(form.text, columns):
                    return
            with self.raw.cursor() as cursor:
                cursor.executemany(self._sql(sql), batch)
        except psycopg.Error as exc:
            raise _store_error(self._store.path, exc) from exc

    def _run_bulk(self, text: str, columns: list[list[Any]]) -> bool:
        """Run a bulk form (:mod:`newsweave.store.postgres_bulk`); False when psycopg could
        not send the arrays (a column of values of mixed types): then nothing was sent,
        and the caller goes row by row."""
        import psycopg

        rows = len(columns[0])
        for start in range(0, rows, BULK_ROWS):
            try:
                self.raw.execute(text, [c[start : start + BULK_ROWS] for c in columns]
                                 if rows > BULK_ROWS else columns, prepare=True)
            except psycopg.DataError:
                status = self.raw.info.transaction_status
                if start or status != psycopg.pq.TransactionStatus.INTRANS:
                    raise  # the server refused it, or part of the rows went
                return False
        return True

    def _bulk(self, sql: str) -> BulkForm | None:
        """The statement's bulk form, or None (cached)."""
        if sql not in self._bulk_forms:
            self._bulk_forms[sql] = bulk_form(self._sql(sql), self.column_types,
                                              self.identity_tables)
        return self._bulk_forms[sql]

    def close(self) -> None:
        self.raw.close()


def _text_safe(params: Sequence[Any]) -> Sequence[Any]:
    """The parameters with NUL characters replaced by U+FFFD: PostgreSQL's text cannot hold
    NUL (SQLite's can), and one article holding one must not fail its whole batch."""
    if not isinstance(params, tuple | list):
        params = tuple(params)
    for p in params:  # a loop, not a generator: this runs for every row sent
        if isinstance(p, str) and "\x00" in p:
            return tuple(x.replace("\x00", "\ufffd") if isinstance(x, str) else x
                         for x in params)
    return params


def _store_error(path: str, exc: Exception) -> PostgresError:
    sqlstate = getattr(exc, "sqlstate", None)
    return PostgresError(f"{path}: {str(exc).strip()}", sqlstate)


class PostgresStore(SQLiteStore):
    """A newsweave store in a PostgreSQL database.

    The article methods are :class:`SQLiteStore`'s (their SQL runs through the
    translating :class:`Connection`); schema, transactions, locking and the
    integrity check are this class's own.
    """

    def __init__(self, location: str, *, readonly: bool = False, create: bool = True) -> None:
        try:
            import psycopg
        except ImportError:
            raise StoreError(
                f"{redacted(location)}: a PostgreSQL store needs psycopg 3 "
                "(pip install 'newsweave[postgres]')") from None
        self.path = redacted(location)
        self.readonly = readonly
        self.patience = WRITE_PATIENCE
        self._savepoints = 0
        try:
            raw = psycopg.connect(location, autocommit=True, row_factory=_row_factory,
                                  connect_timeout=CONNECT_TIMEOUT,
                                  application_name="newsweave")
        except psycopg.Error as exc:
            raise StoreError(f"{self.path}: cannot connect to PostgreSQL "
                             f"({str(exc).strip()})") from None
        self._db = Connection(self, raw)
        try:
            if readonly:
                raw.execute("SET default_transaction_read_only = on")
                self._check_schema()
            else:
                self._migrate_database(create)
            self._db.load_catalogue()
        except BaseException:
            raw.close()
            raise
        self.progress = StageProgress(self)  # type: ignore[arg-type]
        self.reuse = ReuseTables(self)  # type: ignore[arg-type]
        self.stories = StoriesTables(self)
        self.extract = ExtractTables(self)
        self.crosscheck = CrosscheckTables(self)  # type: ignore[arg-type]
        from newsweave.store.postgres_search import PostgresSearchTables

        self.search = PostgresSearchTables(self)  # type: ignore[arg-type]

    def get_article(self, article_id: int, *, raw: bool = False) -> Article | None:
        """The article with its removal log in one statement, not two: the stages read
        articles one at a time, and every statement is a round trip here."""
        columns = _ARTICLE_COLUMNS + (", raw" if raw else "")
        row = self._db.execute(
            f"SELECT {columns}, ARRAY(SELECT r.reason FROM removals r WHERE r.article_id = "
            f"articles.id ORDER BY r.seq) AS removal_reasons, ARRAY(SELECT r.text FROM "
            f"removals r WHERE r.article_id = articles.id ORDER BY r.seq) AS removal_texts "
            f"FROM articles WHERE id = ?", (article_id,)).fetchone()
        if not row:
            return None
        removed = [Removal(text=text, reason=reason) for reason, text
                   in zip(row["removal_reasons"], row["removal_texts"], strict=True)]
        return self._to_article(row, removed)  # type: ignore[arg-type]

    def _data_state(self) -> tuple[int, int] | None:
        """No change counter like SQLite's: :meth:`recurring_lines` asks every time."""
        return None

    # -- schema ---------------------------------------------------------------

    def _tables(self) -> set[str]:
        return {r[0] for r in self._db.raw.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")}

    def _refuse_foreign(self, tables: set[str]) -> None:
        if tables and "schema_version" not in tables:
            raise StoreError(
                f"{self.path}: a PostgreSQL database that is not a newsweave store "
                f"(tables: {', '.join(sorted(tables)[:5])}); choose another database")

    def _check_schema(self) -> None:
        tables = self._tables()
        if not tables:
            raise StoreError(f"{self.path}: no store here yet (an empty database; create one "
                             f"with: newsweave --db {self.path} ingest PATH...)")
        super()._check_schema()

    def _migrate_database(self, create: bool) -> None:
        tables = self._tables()
        if not tables and not create:
            raise StoreError(f"{self.path}: no store here (create one with: newsweave "
                             f"--db {self.path} ingest PATH...)")
        self._refuse_foreign(tables)
        if "schema_version" in tables and self.schema_version == len(MIGRATIONS):
            return
        with self.transaction():  # under the write lock: one process migrates
            self._refuse_foreign(self._tables())
            self._db.execute("CREATE TABLE IF NOT EXISTS schema_version "
                             "(version BIGINT NOT NULL)")
            current = self.schema_version
            self._refuse_newer(current)
            for version in range(current, len(MIGRATIONS)):
                for statement in translate_script(MIGRATIONS[version]):
                    self._db.execute(statement)
                self._db.execute("INSERT INTO schema_version (version) VALUES (?)",
                                 (version + 1,))
            self._db.load_catalogue()

    # -- transactions ---------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Connection]:  # type: ignore[override]
        """One write transaction under the database's write lock; nested: a savepoint."""
        db = self._db
        if db.in_transaction:
            self._savepoints += 1
            name = f"nested_{self._savepoints}"
            db.raw.execute(f"SAVEPOINT {name}")
            try:
                yield db
            except BaseException:
                db.raw.execute(f"ROLLBACK TO SAVEPOINT {name}")
                db.raw.execute(f"RELEASE SAVEPOINT {name}")
                raise
            finally:
                self._savepoints -= 1
            db.raw.execute(f"RELEASE SAVEPOINT {name}")
            return
        if self.readonly:
            raise StoreError(f"{self.path}: opened read-only, cannot write")
        self._begin_locked()
        try:
            yield db
        except BaseException:
            if not db.raw.closed:
                db.raw.execute("ROLLBACK")
            raise
        try:
            db.raw.execute("COMMIT")
        except Exception as exc:
            import psycopg

            if isinstance(exc, psycopg.Error):
                raise _store_error(self.path, exc) from exc
            raise

    def refresh_statistics(self, table: str) -> None:
        """ANALYZE ``table`` inside the current write transaction, after it took many rows.

        The planner sizes a table by its statistics; an autovacuum ANALYZE that samples it
        while a large write is still uncommitted counts none of the new rows. story_df went
        from its 2 counter rows to 100,000 keys in its first fold, was sampled during it,
        and every key lookup (prepared, so kept) read the whole table until the next
        autovacuum ANALYZE a minute later: ~1,200 scans, 116 million rows at 13,000 articles.
        Sampled here, the new rows count (they are this transaction's), and the lock ANALYZE
        holds until commit keeps autovacuum from sampling the table before then."""
        if not table.isidentifier():
            raise ValueError(f"not a table name: {table!r}")
        self._db.raw.execute(f"ANALYZE {table}", prepare=False)

    def _begin_locked(self) -> None:
        """BEGIN and take the write lock, retrying with backoff while another process holds
        it, for at most ``self.patience`` seconds."""
        import psycopg

        raw = self._db.raw
        deadline = time.monotonic() + self.patience
        delay = 0.05
        while True:
            wait = max(0.05, min(LOCK_SLICE, deadline - time.monotonic()))
            try:
                # One round trip (no parameters: the simple protocol runs the four at once);
                # a transaction is begun thousands of times in an ingest.
                raw.execute(f"BEGIN; SET LOCAL lock_timeout = {int(wait * 1000)}; "
                            f"SELECT pg_advisory_xact_lock({WRITE_LOCK}); "
                            "SET LOCAL lock_timeout = 0")
                return
            except (psycopg.errors.LockNotAvailable, psycopg.errors.DeadlockDetected,
                    psycopg.errors.SerializationFailure):
                raw.execute("ROLLBACK")
            except psycopg.Error as exc:
                if raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                    raw.execute("ROLLBACK")
                raise _store_error(self.path, exc) from exc
            if time.monotonic() >= deadline:
                raise StoreBusyError(
                    f"{self.path}: the store stayed locked by another process for "
                    f"{self.patience:.0f} s; try again when it has finished") from None
            log.debug("store busy, retrying in %.2f s", delay)
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 2.0)

    @contextmanager
    def waiting_at_most(self, seconds: float) -> Iterator[None]:
        before = self.patience
        self.patience = seconds
        try:
            yield
        finally:
            self.patience = before

    # -- housekeeping ---------------------------------------------------------

    def check_integrity(self) -> list[str]:
        """Empty bodies and stored stage errors (PostgreSQL checks its own pages and
        foreign keys as it writes: there is no whole-file check to run)."""
        empty = self._db.execute("SELECT count(*) FROM articles WHERE text = ''").fetchone()
        problems = [f"{empty[0]} article(s) with an empty body"] if empty and empty[0] else []
        return problems + self.progress.problems()

    def close(self) -> None:
        self._db.close()


__all__ = ["Connection", "PostgresError", "PostgresStore", "is_postgres", "redacted"]
