"""An outlet's recurring lines (boilerplate that cleaning removes), counted from the line
keys stored with its articles and kept per connection, and re-cleaning articles with them.

A part of :class:`newsweave.store.sqlite.SQLiteStore` (its base class), not to be used on
its own: the methods read ``_db``, ``transaction`` and the article methods' writes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from newsweave.model import Removal
from newsweave.store.sql import chunks

if TYPE_CHECKING:
    from newsweave.store.sqlite_articles import _Body


class SQLiteLines:
    """The store's recurring-line methods (see :class:`newsweave.store.sqlite.SQLiteStore`)."""

    _db: sqlite3.Connection
    # See recurring_lines (set by the SQLite store only: PostgreSQL's counts every time).
    _recurring: dict[str, dict[int, frozenset[str]]]
    _lines_written: dict[str, set[str]]
    _recurring_state: int

    if TYPE_CHECKING:
        def transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...

        def _write_bodies(self, bodies: Sequence[_Body]) -> None: ...

        def _cleaned(self, db: sqlite3.Connection, article_ids: list[int]) -> None: ...

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
