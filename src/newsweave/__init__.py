"""newsweave: many outlets' reports of the news, woven into one traced story.

>>> import newsweave
>>> engine = newsweave.open("news.db")      # doctest: +SKIP
>>> engine.ingest(["articles/"]).new        # doctest: +SKIP
[1, 2, 3]
"""

from __future__ import annotations

from newsweave.engine import Engine
from newsweave.errors import InputError, NewsweaveError, NotFoundError, StoreError
from newsweave.model import Article, Cleaned, IngestReport, Rejection, Removal

__version__ = "0.1.0"


def open(db_path: str | None = None, *, readonly: bool = False, **settings: object) -> Engine:
    """Open the engine on the SQLite store at ``db_path``, creating it if needed.

    Without ``db_path`` the ``NEWSWEAVE_DB`` environment variable, then
    ``./newsweave.db``, is used. Keyword arguments override settings
    (see :data:`newsweave.settings.SETTINGS`). ``readonly=True`` only reads: a
    missing store is a :class:`StoreError` and nothing is ever written. Any number
    of processes may open one store at once (see README, "Many processes").
    """
    from newsweave.engine import open_engine

    return open_engine(db_path, readonly=readonly, **settings)


__all__ = [
    "Article",
    "Cleaned",
    "Engine",
    "IngestReport",
    "InputError",
    "NewsweaveError",
    "NotFoundError",
    "Rejection",
    "Removal",
    "StoreError",
    "open",
]
