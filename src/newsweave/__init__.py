"""newsweave: many outlets' reports of the news, woven into one traced story.

>>> import newsweave
>>> engine = newsweave.open("news.db")      # doctest: +SKIP
>>> engine.ingest(["articles/"]).new        # doctest: +SKIP
[1, 2, 3]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from newsweave.errors import InputError, NewsweaveError, NotFoundError, StoreError
from newsweave.model import Article, Cleaned, IngestReport, Rejection, Removal

if TYPE_CHECKING:
    from newsweave.engine import Engine

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """``Engine`` is imported on first use, not with the package: a process that needs one
    module of it (the extract stage's worker processes, each importing only spaCy's side)
    does not pay for importing every stage, the cleaners and their dependencies."""
    if name == "Engine":
        from newsweave.engine import Engine

        globals()["Engine"] = Engine
        return Engine
    raise AttributeError(f"module 'newsweave' has no attribute {name!r}")


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
