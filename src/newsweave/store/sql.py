"""Small SQL helpers shared by the store's table modules."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
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
