"""Stage progress shared by many processes: claims, the run log and stored errors.

Tables (migration "many processes" in :mod:`newsweave.store.migrations`):

- ``stage_runs``: which stage has processed which article, at which version.
- ``stage_claims``: pending work a process has taken, under the write lock, so two
  processes never do the same stage work. A claim holds while its owner process
  lives (checked through ``/proc`` on this machine) and until it expires, so the
  work of a killed process is taken up by the next run.
- ``stage_log``: one row per article each time a stage (or cleaning) finished it:
  how "each stage ran once per article" is checked.
- ``stage_errors``: an article a stage failed on, with the error and the number of
  attempts; retried by later runs up to :data:`MAX_ATTEMPTS`, surfaced by
  :meth:`StageProgress.problems`.
- ``stage_marks``: per stage and version, a watermark: every article with an id at or
  below it is done or given up (*settled*), or listed in ``stage_reopened``. A claim looks
  for pending work among those listed and above the mark only, so its cost follows the
  work left, not the store's size; it moves the mark up to just below the first article
  not settled, and forgets the listed ones settled since. An article at or below a mark
  that may be pending again is listed, in the transaction that makes it so: a re-cleaned
  body, or an id SQLite hands out again (:meth:`StageProgress.reopen`, from the store's
  cleaning writes; re-cleaning reaches back to old articles in every shard of an archive,
  so lowering the mark instead would have the next claims visit the store again).
  :meth:`StageProgress.retry_errors` lowers the marks (a rare, deliberate step), and a
  stage writing another version of its rows drops the other versions' marks (a missing
  mark is 0). All of it under the write lock, as the claims: processes sharing the store
  keep one mark between them.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from newsweave.store.sql import chunks

if TYPE_CHECKING:
    from newsweave.store.sqlite import SQLiteStore

MAX_ATTEMPTS = 3  # runs that try an article a stage keeps failing on
LEASE_SECONDS = 6 * 3600.0  # a claim of an owner that cannot be checked (another machine)
REVOKED = "revoked"  # owner of a claim whose article changed while a stage worked on it
# The cleaning stage (name, version): an article is stored cleaned, so the store marks it
# done for this stage in the transaction that inserts (or re-cleans) it.
CLEANED = ("clean", 1)


# Each article's progress rows are looked up by their key, one article after another from
# the mark up, the scan stopping at the claim's limit. "LIMIT 1 OFFSET 0" keeps PostgreSQL
# to that: it may not turn such a subquery into a join or a hashed subplan, either of
# which reads all of a stage's rows (the whole store's progress) for each claim. SQLite
# looks each up by its key with or without it.
_ONE = " LIMIT 1 OFFSET 0)"
# An article the stage has not settled: not done at this version, not given up on (the
# parameters: stage, version, stage, version, MAX_ATTEMPTS).
_UNSETTLED = ("NOT EXISTS (SELECT 1 FROM stage_runs r WHERE r.article_id = a.id AND "
              "r.stage = ? AND r.version = ?" + _ONE + " AND NOT EXISTS (SELECT 1 FROM "
              "stage_errors e WHERE e.article_id = a.id AND e.stage = ? AND e.version = ? "
              "AND e.attempts >= ?" + _ONE)


# An article listed in stage_reopened for the stage, at or below its mark (the parameters:
# stage, version, mark).
_LISTED = ("a.id IN (SELECT b.article_id FROM stage_reopened b WHERE b.stage = ? AND "
           "b.version = ? AND b.article_id <= ?)")


def process_owner() -> str:
    """This process as a claim owner: host, pid and the pid's start time (pids are reused)."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_time(pid)}"


def owner_alive(owner: str) -> bool:
    """Whether the process that made a claim still runs (unknown machines count as alive)."""
    host, _, rest = owner.partition(":")
    pid_text, _, started = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return True
    pid = int(pid_text)
    if not Path("/proc/self/stat").exists():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return False
    # fields[0] is the state (Z: killed, not yet reaped); fields[19] the start time.
    return fields[0] not in ("Z", "X") and (not started or fields[19] == started)


def _start_time(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class StageProgress:
    """The progress tables of a :class:`SQLiteStore` (its methods delegate here)."""

    def __init__(self, store: SQLiteStore) -> None:
        self._store = store
        self.owner = process_owner()

    @property
    def _db(self) -> sqlite3.Connection:
        return self._store._db

    def pending(self, stage: str, version: int) -> list[int]:
        rows = self._db.execute(
            "SELECT a.id FROM articles a LEFT JOIN stage_runs r "
            "ON r.article_id = a.id AND r.stage = ? AND r.version = ? "
            "WHERE r.article_id IS NULL ORDER BY a.id",
            (stage, version),
        )
        return [int(r[0]) for r in rows]

    @staticmethod
    def _pending_sql(stage: str, version: int, after: Sequence[tuple[str, int]]
                     ) -> tuple[str, list[object]]:
        """Articles the stage has not done, that have not failed too often, nobody holds
        and that every earlier stage has finished (or given up on)."""
        sql = ("FROM articles a WHERE " + _UNSETTLED + " AND NOT EXISTS (SELECT 1 FROM "
               "stage_claims c WHERE c.article_id = a.id AND c.stage = ?" + _ONE)
        params: list[object] = [stage, version, stage, version, MAX_ATTEMPTS, stage]
        for name, done_version in after:
            sql += (" AND (EXISTS (SELECT 1 FROM stage_runs r WHERE r.article_id = a.id "
                    "AND r.stage = ? AND r.version = ?" + _ONE + " OR EXISTS (SELECT 1 FROM "
                    "stage_errors e WHERE e.article_id = a.id AND e.stage = ? AND "
                    "e.version = ? AND e.attempts >= ?" + _ONE + ")")
            params += [name, done_version, name, done_version, MAX_ATTEMPTS]
        return sql, params

    def count_pending(self, stage: str, version: int,
                      after: Sequence[tuple[str, int]] = ()) -> int:
        """How many articles :meth:`claim` could still hand out (an estimate for progress)."""
        sql, params = self._pending_sql(stage, version, after)
        row = self._db.execute("SELECT mark FROM stage_marks WHERE stage = ? AND version = ?",
                               (stage, version)).fetchone()
        mark = int(row[0]) if row else 0
        above = self._db.execute(f"SELECT count(*) {sql} AND a.id > ?", (*params, mark))
        listed = self._db.execute(f"SELECT count(*) {sql} AND {_LISTED}",
                                  (*params, stage, version, mark))
        return int(above.fetchone()[0]) + int(listed.fetchone()[0])

    def claim(self, stage: str, version: int, limit: int,
              after: Sequence[tuple[str, int]] = ()) -> list[int]:
        """Take up to ``limit`` pending articles of ``stage`` for this process, oldest first.

        Runs under the write lock, so two processes never take the same article.
        ``after``: (stage, version) pairs that must have finished each article first.
        """
        sql, params = self._pending_sql(stage, version, after)
        with self._store.transaction() as db:
            self._release_dead(db)
            mark = self._advance(db, stage, version)
            # The listed articles lie at or below the mark: oldest first, as one scan.
            ids = [int(r[0]) for r in db.execute(
                f"SELECT a.id {sql} AND {_LISTED} ORDER BY a.id LIMIT ?",
                (*params, stage, version, mark, limit))]
            if len(ids) < limit:
                ids += [int(r[0]) for r in db.execute(
                    f"SELECT a.id {sql} AND a.id > ? ORDER BY a.id LIMIT ?",
                    (*params, mark, limit - len(ids)))]
            expires = time.time() + LEASE_SECONDS
            db.executemany(
                "INSERT INTO stage_claims (stage, article_id, version, owner, expires) "
                "VALUES (?, ?, ?, ?, ?)", [(stage, i, version, self.owner, expires) for i in ids])
        return ids

    @staticmethod
    def _advance(db: sqlite3.Connection, stage: str, version: int) -> int:
        """Move the stage's watermark up to just below its first article not settled (done
        or given up), forget the listed articles settled since, and return the mark; this
        visits only the articles settled since the last move (those of the last claims,
        usually) and the listed ones, not the store."""
        row = db.execute("SELECT mark FROM stage_marks WHERE stage = ? AND version = ?",
                         (stage, version)).fetchone()
        mark = int(row[0]) if row else 0
        first = db.execute(
            "SELECT a.id FROM articles a WHERE a.id > ? AND " + _UNSETTLED +
            " ORDER BY a.id LIMIT 1", (mark, stage, version, stage, version, MAX_ATTEMPTS)
        ).fetchone()
        moved = (int(first[0]) - 1 if first else
                 int(db.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0]))
        if row is None or moved != mark:
            db.execute("INSERT INTO stage_marks (stage, version, mark) VALUES (?, ?, ?) "
                       "ON CONFLICT (stage, version) DO UPDATE SET mark = excluded.mark",
                       (stage, version, moved))
        db.execute("DELETE FROM stage_reopened WHERE stage = ? AND version = ? AND NOT EXISTS "
                   "(SELECT 1 FROM articles a WHERE a.id = stage_reopened.article_id AND "
                   + _UNSETTLED + ")", (stage, version, stage, version, stage, version,
                                        MAX_ATTEMPTS))
        return moved

    @staticmethod
    def reopen(db: sqlite3.Connection, article_ids: Sequence[int]) -> None:
        """These articles were just stored or re-cleaned, so every stage may have them to do:
        those at or below a stage's mark are listed for it (in the transaction that writes
        them). A new article's id is above the marks (nothing to list) unless SQLite hands
        out a deleted highest id again."""
        for chunk in chunks(sorted(set(article_ids))):
            marks = ",".join("?" * len(chunk))
            db.execute("INSERT OR IGNORE INTO stage_reopened (stage, version, article_id) "
                       "SELECT m.stage, m.version, a.id FROM stage_marks m, articles a "
                       f"WHERE a.id IN ({marks}) AND a.id <= m.mark", chunk)

    @staticmethod
    def _drop_other_versions(db: sqlite3.Connection, stage: str, version: int) -> None:
        """A stage writing its rows at ``version`` replaces those of its other versions
        (``stage_runs`` and ``stage_errors`` hold one row per stage and article), which may
        unsettle their articles at those versions: their marks go (and start from 0)."""
        db.execute("DELETE FROM stage_marks WHERE stage = ? AND version <> ?", (stage, version))
        db.execute("DELETE FROM stage_reopened WHERE stage = ? AND version <> ?",
                   (stage, version))

    def _release_dead(self, db: sqlite3.Connection) -> None:
        """Drop claims whose owner died or whose lease ran out (a killed run's work)."""
        now = time.time()
        db.execute("DELETE FROM stage_claims WHERE expires < ?", (now,))
        owners = [r[0] for r in db.execute("SELECT DISTINCT owner FROM stage_claims")]
        dead = [o for o in owners if o != self.owner and not o.startswith(REVOKED)
                and not owner_alive(o)]
        for owner in dead:
            db.execute("DELETE FROM stage_claims WHERE owner = ?", (owner,))

    def release(self) -> None:
        """Give back every claim of this process (its run ended; failures are retried later)."""
        with self._store.transaction() as db:
            db.execute("DELETE FROM stage_claims WHERE owner = ?", (self.owner,))

    def revoke(self, article_ids: Iterable[int]) -> None:
        """The articles changed: work in progress on them must not be marked done."""
        with self._store.transaction() as db:
            for chunk in chunks(list(article_ids)):
                marks = ",".join("?" * len(chunk))
                db.execute(f"UPDATE stage_claims SET owner = '{REVOKED}:' || owner "
                           f"WHERE article_id IN ({marks})", chunk)

    def mark_done(self, stage: str, article_ids: Iterable[int], version: int) -> None:
        ids = list(dict.fromkeys(article_ids))
        with self._store.transaction() as db:
            revoked: set[int] = set()
            for chunk in chunks(ids):
                marks = ",".join("?" * len(chunk))
                revoked.update(int(r[0]) for r in db.execute(
                    f"SELECT article_id FROM stage_claims WHERE stage = ? AND owner LIKE "
                    f"'{REVOKED}:%' AND article_id IN ({marks})", (stage, *chunk)))
                db.execute(f"DELETE FROM stage_claims WHERE stage = ? AND article_id IN "
                           f"({marks})", (stage, *chunk))
                db.execute(f"DELETE FROM stage_errors WHERE stage = ? AND article_id IN "
                           f"({marks})", (stage, *chunk))
            done = [i for i in ids if i not in revoked]
            self._drop_other_versions(db, stage, version)
            db.executemany(
                "INSERT OR REPLACE INTO stage_runs (stage, article_id, version) VALUES (?, ?, ?)",
                [(stage, i, version) for i in done],
            )
            self.log(stage, done, version)

    def log(self, stage: str, article_ids: Sequence[int], version: int) -> None:
        at = _now()
        self._db.executemany(
            "INSERT INTO stage_log (stage, article_id, version, owner, at) VALUES (?, ?, ?, ?, ?)",
            [(stage, i, version, self.owner, at) for i in article_ids])

    def record_errors(self, stage: str, version: int, errors: dict[int, str]) -> None:
        """Store why ``stage`` failed on these articles; their claims stay until this run
        ends (so it does not retry them at once), later runs retry them. Articles the
        stage has finished at this version are left out."""
        at = _now()
        with self._store.transaction() as db:
            self._drop_other_versions(db, stage, version)
            errors = {i: text for i, text in errors.items() if not db.execute(
                "SELECT 1 FROM stage_runs WHERE stage = ? AND article_id = ? AND version = ?",
                (stage, i, version)).fetchone()}
            db.executemany(
                "INSERT INTO stage_errors (stage, article_id, version, attempts, error, at) "
                "VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT (stage, article_id) DO UPDATE SET "
                "attempts = CASE WHEN version = excluded.version THEN attempts + 1 ELSE 1 END, "
                "version = excluded.version, error = excluded.error, at = excluded.at",
                [(stage, i, version, text[:2000], at) for i, text in errors.items()
                 if db.execute("SELECT 1 FROM articles WHERE id = ?", (i,)).fetchone()])

    def retry_errors(self) -> None:
        """Make every stored error's article eligible again (its error stays until it
        succeeds), including those given up on."""
        with self._store.transaction() as db:
            # The given-up articles are pending again: each stage's mark goes below its first.
            db.execute("UPDATE stage_marks SET mark = (SELECT min(e.article_id) - 1 FROM "
                       "stage_errors e WHERE e.stage = stage_marks.stage) WHERE mark >= "
                       "(SELECT min(e.article_id) FROM stage_errors e WHERE "
                       "e.stage = stage_marks.stage)")
            db.execute("UPDATE stage_errors SET attempts = 0")

    def errors(self) -> list[dict[str, object]]:
        """Stored stage errors, newest first."""
        return [
            {"stage": r[0], "article": int(r[1]), "version": int(r[2]), "attempts": int(r[3]),
             "error": r[4], "at": r[5]}
            for r in self._db.execute(
                "SELECT stage, article_id, version, attempts, error, at FROM stage_errors "
                "ORDER BY at DESC, article_id")
        ]

    def done(self, article_ids: Sequence[int]) -> dict[int, list[tuple[str, int]]]:
        """(stage, version) pairs that have finished each of the articles."""
        found: dict[int, list[tuple[str, int]]] = {}
        for chunk in chunks(list(article_ids)):
            marks = ",".join("?" * len(chunk))
            for article_id, stage, version in self._db.execute(
                    f"SELECT article_id, stage, version FROM stage_runs WHERE article_id IN "
                    f"({marks}) ORDER BY article_id, stage", chunk):
                found.setdefault(int(article_id), []).append((stage, int(version)))
        return found

    def coverage(self) -> dict[str, int]:
        """Articles each stage has finished (at any version)."""
        return {r[0]: int(r[1]) for r in self._db.execute(
            "SELECT stage, count(*) FROM stage_runs GROUP BY stage ORDER BY stage")}

    def invalidate(self, stage: str, article_ids: Iterable[int], reason: str) -> None:
        """Ask ``stage`` to redo its work on these articles in its next run."""
        at = _now()
        with self._store.transaction() as db:
            db.executemany(
                "INSERT INTO stage_invalidations (stage, article_id, reason, at) "
                "SELECT ?, id, ?, ? FROM articles WHERE id = ? "
                "ON CONFLICT (stage, article_id) DO UPDATE SET reason = excluded.reason, "
                "at = excluded.at",
                [(stage, reason, at, i) for i in dict.fromkeys(article_ids)])

    def invalidated(self, stage: str, limit: int | None = None) -> list[int]:
        """Articles whose work ``stage`` was asked to redo, oldest request first."""
        rows = self._db.execute(
            "SELECT article_id FROM stage_invalidations WHERE stage = ? ORDER BY at, article_id"
            " LIMIT ?", (stage, -1 if limit is None else limit))
        return [int(r[0]) for r in rows]

    def clear_invalidated(self, stage: str, article_ids: Iterable[int]) -> None:
        """``stage`` redid its work on these articles."""
        with self._store.transaction() as db:
            db.executemany("DELETE FROM stage_invalidations WHERE stage = ? AND article_id = ?",
                           [(stage, i) for i in article_ids])

    def problems(self) -> list[str]:
        """Stored stage errors as integrity-check lines."""
        out = []
        for e in self.errors():
            given_up = " (given up)" if int(str(e["attempts"])) >= MAX_ATTEMPTS else ""
            out.append(f"stage {e['stage']} failed on article {e['article']} "
                       f"{e['attempts']} time(s){given_up}: {e['error']}")
        return out


__all__ = ["MAX_ATTEMPTS", "StageProgress", "owner_alive", "process_owner"]
