"""The store: where articles and everything derived from them live.

Stages talk to the store through :class:`Store`; only ``store/sqlite.py``
knows about SQLite, only ``store/postgres*.py`` and ``store/dialect.py`` about
PostgreSQL. ``open_store`` picks the backend from the location: a
``postgresql://`` URL opens a PostgreSQL database, anything else an SQLite file.
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
    readonly: bool
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

    def insert_new_articles(
        self, articles: Sequence[Article], line_keys: Sequence[Mapping[str, bool]]
    ) -> list[tuple[int, bool]]:
        """Insert the articles whose content is not stored yet (checked under the write
        lock); per article its id and whether it is new."""
        ...

    def known_hashes(self, hashes: Iterable[str]) -> dict[str, int]:
        """Map each content hash already stored to its article id."""
        ...

    def get_article(self, article_id: int, *, raw: bool = False) -> Article | None: ...

    def get_articles(self, article_ids: Sequence[int], *, raw: bool = False
                     ) -> dict[int, Article]:
        """The stored ones of ``article_ids`` by id, each as :meth:`get_article` reads it."""
        ...

    def iter_articles(
        self, *, outlet: str | None = None, language: str | None = None,
        since: str | None = None, until: str | None = None, after: int | None = None,
        limit: int | None = None,
    ) -> Iterator[Article]:
        """Articles oldest id first, streamed; filters as in :class:`SQLiteStore`."""
        ...

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
        """A write transaction; a nested one is a savepoint (its failure undoes only it)."""
        ...

    def waiting_at_most(self, seconds: float) -> AbstractContextManager[None]:
        """Writes inside give up with :class:`StoreBusyError` after ``seconds`` of waiting."""
        ...

    def pending(self, stage: str, version: int) -> list[int]:
        """Ids of articles that ``stage`` at ``version`` has not processed yet."""
        ...

    def count_pending(self, stage: str, version: int,
                      after: Sequence[tuple[str, int]] = ()) -> int: ...

    def claim(self, stage: str, version: int, limit: int,
              after: Sequence[tuple[str, int]] = ()) -> list[int]:
        """Take up to ``limit`` pending articles for this process, under the write lock
        (see :mod:`newsweave.store.progress`); ``after`` lists the (stage, version) pairs
        that must have finished an article first."""
        ...

    def release_claims(self) -> None:
        """Give back this process's claims (at the end of a run)."""
        ...

    def mark_done(self, stage: str, article_ids: Iterable[int], version: int) -> None: ...

    def record_errors(self, stage: str, version: int, errors: Mapping[int, str]) -> None:
        """Store why a stage failed on these articles (retried by later runs)."""
        ...

    def retry_errors(self) -> None:
        """Let later runs retry every stored stage error, even those given up on."""
        ...

    def invalidate(self, stage: str, article_ids: Iterable[int], reason: str) -> None:
        """Ask ``stage`` to redo its work on these articles in its own next run (an earlier
        stage never calls a later one: it leaves it this note)."""
        ...

    def invalidated(self, stage: str, limit: int | None = None) -> list[int]:
        """Articles whose work ``stage`` was asked to redo, oldest request first."""
        ...

    def clear_invalidated(self, stage: str, article_ids: Iterable[int]) -> None: ...

    def stage_coverage(self) -> dict[str, int]: ...

    def stages_done(self, article_ids: Sequence[int]) -> dict[int, list[tuple[str, int]]]:
        """(stage, version) pairs that have finished each of the articles."""
        ...

    def stage_errors(self) -> list[dict[str, object]]: ...

    def check_integrity(self) -> list[str]:
        """Problems found in the stored data; an empty list means consistent."""
        ...

    def close(self) -> None: ...


def open_store(location: str, *, readonly: bool = False, create: bool = True) -> Store:
    """Open the store at ``location``: creating and migrating it as needed, or, with
    ``readonly``, only reading it (a missing or outdated store is a :class:`StoreError`);
    ``create=False`` refuses a missing store but may write to an existing one.

    ``location``: a file path (SQLite) or ``postgresql://user@host/dbname`` (PostgreSQL,
    libpq's URL syntax: a socket folder as the host is written percent-encoded)."""
    from newsweave.store.postgres import PostgresStore, is_postgres
    from newsweave.store.sqlite import SQLiteStore

    if is_postgres(location):
        return PostgresStore(location, readonly=readonly, create=create)

    return SQLiteStore(location, readonly=readonly, create=create)


def read_articles(store: Store, article_ids: Iterable[int]) -> list[Article]:
    """The stored ones of ``article_ids`` in their order, read in one
    :meth:`Store.get_articles` (a batch read one article at a time made two statements
    an article)."""
    ids = list(article_ids)
    found = store.get_articles(ids)
    return [found[i] for i in ids if i in found]


__all__ = ["Store", "open_store", "read_articles"]
