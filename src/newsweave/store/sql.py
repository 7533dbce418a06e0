"""Small SQL helpers shared by the store's table modules."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

CHUNK = 500  # values per "IN (...)" list: well under SQLite's limit on bound parameters


def chunks(values: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    """``values`` in lists of at most ``size``, for queries with an ``IN (...)`` list.

    >>> list(chunks(range(5), size=2))
    [[0, 1], [2, 3], [4]]
    """
    items = list(values)
    for start in range(0, len(items), size):
        yield items[start : start + size]


@contextmanager
def read_snapshot(db: Any) -> Iterator[None]:
    """The reads inside see one state of the store: one read transaction (SQLite's
    deferred ``BEGIN``; on PostgreSQL, whose statements each see their own state by
    default, a repeatable-read, read-only one), unless the connection is in a
    transaction already (which is one state)."""
    if db.in_transaction:
        yield
        return
    raw = getattr(db, "raw", None)  # PostgreSQL's connection under the store's wrapper
    if raw is None:
        db.execute("BEGIN")
    else:
        raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    try:
        yield
    finally:
        (db if raw is None else raw).execute("COMMIT")
