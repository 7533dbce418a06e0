"""The store: where articles and everything derived from them live.

Stages talk to the store through :class:`Store`; only ``store/sqlite.py``
knows about SQLite. ``open_store`` picks the backend from the location.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from newsweave.model import Article, Removal
from newsweave.store.crosscheck import CrosscheckStore
from newsweave.store.extract import ExtractStore
from newsweave.store.reuse import ReuseStore
from newsweave.store.search import SearchStore
from newsweave.store.stories import StoryTables


class Store(Protocol):
    """What the engine needs from a store. Every write method is one transaction."""

    path: str
    reuse: ReuseStore  # the reuse stage's tables (store/reuse.py)
    stories: StoryTables  # the stories stage's tables (store/stories.py)
    extract: ExtractStore  # the extraction stage's tables (store/extract.py)
    crosscheck: CrosscheckStore  # the brief's claim-vector cache (store/crosscheck.py)
    search: SearchStore  # full-text search and the story catalogue (store/search.py)

    def add_articles(
        self, articles: Sequence[Article], line_keys: Sequence[Mapping[str, bool]]
    ) -> list[int]:
        """Insert a batch of new articles; return their ids.

        ``line_keys`` maps, per article, each short line's key to whether the
        line is still in the body (False once removed as recurring boilerplate).
        """
        ...

    def known_hashes(self, hashes: Iterable[str]) -> dict[str, int]:
        """Map each content hash already stored to its article id."""
        ...

    def get_article(self, article_id: int, *, raw: bool = False) -> Article | None: ...

    def iter_articles(self, *, outlet: str | None = None) -> Iterator[Article]: ...

    def count_articles(self) -> int: ...

    def recurring_lines(self, outlet: str, min_articles: int) -> frozenset[str]:
        """Line keys found in at least ``min_articles`` articles of ``outlet``."""
        ...

    def articles_with_lines(self, outlet: str, keys: Iterable[str]) -> list[int]:
        """Ids of the outlet's articles whose body still holds a line with one of ``keys``."""
        ...

    def replace_clean_text(
        self, updates: Sequence[tuple[int, str, list[Removal], Mapping[str, bool]]]
    ) -> None:
        """Store re-cleaned bodies: (article id, text, removal log, line keys as above).

        The articles become pending for every stage again.
        """
        ...

    def transaction(self) -> AbstractContextManager[object]:
        """A write transaction; writes inside it (and nested ones) commit together."""
        ...

    def pending(self, stage: str, version: int) -> list[int]:
        """Ids of articles that ``stage`` at ``version`` has not processed yet."""
        ...

    def mark_done(self, stage: str, article_ids: Iterable[int], version: int) -> None: ...

    def check_integrity(self) -> list[str]:
        """Problems found in the stored data; an empty list means consistent."""
        ...

    def close(self) -> None: ...


def open_store(location: str) -> Store:
    """Open (creating and migrating as needed) the store at ``location``."""
    from newsweave.store.sqlite import SQLiteStore

    return SQLiteStore(location)


__all__ = ["Store", "open_store"]
