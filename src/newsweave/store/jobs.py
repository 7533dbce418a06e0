"""The ingest jobs' records (table ``ingest_jobs``): what `serve` ran, kept across restarts.

A record is written by the server's one writer; any reader may look one up. A job
that was queued or running when its server stopped is marked interrupted by the next
server on the store (:meth:`JobTables.interrupt_unfinished`).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

KEPT = 1000  # records kept in the store (the oldest finished ones are dropped)
UNFINISHED = ("queued", "running")


class JobTables:
    """``ingest_jobs`` on an SQLite store (the store's own connection and transactions)."""

    def __init__(self, store: Any) -> None:
        self._store = store

    @property
    def _db(self) -> sqlite3.Connection:
        return self._store._db

    def save(self, records: list[dict[str, Any]]) -> None:
        """Insert or replace job records (fields as in the table; ``phases`` and
        ``report`` as Python data), then drop the oldest finished ones beyond KEPT."""
        if not records:
            return
        rows = [(r["id"], r["source"], r["state"], r["created"], r.get("started"),
                 r.get("finished"), r.get("phase"), json.dumps(r.get("phases") or {}),
                 None if r.get("report") is None else json.dumps(r["report"]), r.get("error"))
                for r in records]
        with self._store.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO ingest_jobs (id, source, state, created, started, "
                "finished, phase, phases, report, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows)
            db.execute(
                "DELETE FROM ingest_jobs WHERE state NOT IN ('queued', 'running') AND id IN "
                "(SELECT id FROM ingest_jobs ORDER BY created DESC LIMIT -1 OFFSET ?)", (KEPT,))

    def get(self, job_id: str) -> dict[str, Any] | None:
        row = self._db.execute(
            "SELECT id, source, state, created, started, finished, phase, phases, report, "
            "error FROM ingest_jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            return None
        return {"id": row[0], "source": row[1], "state": row[2], "created": row[3],
                "started": row[4], "finished": row[5], "phase": row[6],
                "phases": json.loads(row[7] or "{}"),
                "report": None if row[8] is None else json.loads(row[8]), "error": row[9]}

    def interrupt_unfinished(self, finished: float, error: str) -> int:
        """Mark every queued or running job interrupted; return how many there were."""
        with self._store.transaction() as db:
            cursor = db.execute(
                "UPDATE ingest_jobs SET state = 'interrupted', finished = ?, error = ? "
                "WHERE state IN ('queued', 'running')", (finished, error))
        return int(cursor.rowcount or 0)
