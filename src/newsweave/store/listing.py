"""Reader queries of the store behind the lists: the story catalogue (its sorts, filters
and the "origins" order kept per store state), the article list, and the change counters
that tell a cached list or view whether it is still the store's.

:class:`ListingTables` is the listing half of :class:`~newsweave.store.search.SearchTables`
(``store.search``); the search half stays there.

The change counters are in :mod:`newsweave.store.list_state`, the "origins" order in
:mod:`newsweave.store.origin_order` (:class:`ListingTables`' base classes).
"""

from __future__ import annotations

import bisect
import itertools
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

# The change counters and the "origins" order are the tables' base classes, in their own
# modules; the names the tests and benches import from here re-exported.
from newsweave.store.list_state import _STORY_STATES, ListStateTables, _WalHeader
from newsweave.store.origin_order import (
    _ORIGINS,
    _ORIGINS_LOCK,
    _ORIGINS_LOCKS,
    OriginCounts,
    OriginOrderTables,
)

if TYPE_CHECKING:
    from newsweave.store.sqlite import SQLiteStore

__all__ = [
    "FILTERS_KEPT", "LISTED", "_FILTERS", "_ORIGINS", "_ORIGINS_LOCKS", "_STORY_STATES",
    "ListStateTables", "ListingTables", "OriginCounts", "OriginOrderTables", "StoryFilter",
    "_WalHeader",
]

# Per store path: the stories with a member of an outlet or a language, or mentioning an
# entity, each as of the store state it was last read at (see SearchTables._filtered),
# shared by every page, sort and size of the story list that filters by it; at most
# FILTERS_KEPT filters.
_FILTERS: dict[str, dict[tuple[str, object], tuple[tuple[int, int], frozenset[int]]]] = {}
FILTERS_KEPT = 256
# The fields of an article the article list shows (and exports).
LISTED = ("id", "title", "outlet", "published", "language", "url", "author", "outlet_how",
          "published_how")


@dataclass(slots=True)
class StoryFilter:
    outlet: str | None = None
    language: str | None = None
    entity: int | None = None
    since: date | None = None
    until: date | None = None


class ListingTables(ListStateTables, OriginOrderTables):
    """Listing SQL on a :class:`SQLiteStore`."""

    def __init__(self, store: SQLiteStore) -> None:
        self._store = store
        # whether the last "origins" page walked the order of an earlier store state
        # (another thread was bringing it up to date: see story_page), or the last page
        # filtered by member walked a filter's stories of an earlier one (see _filtered)
        self.stale_order = False
        # Who brings the "origins" order up to date after a store change (story_page):
        # "try": this connection's thread, unless another is counting (the order counted
        # before is walked meanwhile); "wait": this thread, or it waits for the one
        # counting; "leave": the order counted before is walked and the count left to
        # another thread (the web server's list refill thread, which waits); with
        # "leave" a filter's stories read at an earlier state are used too. The first
        # count of a process is waited for whatever this says.
        self.recount = "try"
        # the store's WAL index header (None: not looked for yet; False: not available,
        # another backend or no WAL) and the header with the listing state read after it
        self._wal: _WalHeader | bool | None = None
        self._wal_seen: tuple[bytes, tuple[int, int, int]] | None = None

    @property
    def _db(self) -> sqlite3.Connection:
        return self._store._db

    def article_page(self, after: int, limit: int, *, outlet: str | None = None,
                     language: str | None = None) -> list[int]:
        """Article ids above ``after``, ascending (keyset paging of the article list)."""
        return [int(r[0]) for r in self._article_window(("id",), after, limit, outlet,
                                                         language)]

    def article_rows(self, after: int, limit: int, *, outlet: str | None = None,
                     language: str | None = None) -> list[dict[str, Any]]:
        """A page of the article list as :meth:`article_page` pages it, each article's
        listed fields only (:data:`LISTED`): not its text, raw input or removals, which
        a whole article record reads."""
        return [dict(zip(LISTED, row, strict=True))
                for row in self._article_window(LISTED, after, limit, outlet, language)]

    def _article_window(self, columns: Sequence[str], after: int, limit: int,
                        outlet: str | None, language: str | None) -> list[tuple[Any, ...]]:
        """``columns`` of the articles above ``after`` passing the filters, by id."""
        where, params = ["id > ?"], [after]
        for column, value in (("outlet", outlet), ("language", language)):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        return self._db.execute(
            f"SELECT {', '.join(columns)} FROM articles WHERE {' AND '.join(where)} "
            f"ORDER BY id LIMIT ?", [*params, limit]).fetchall()

    def entity_articles(self, entity_id: int) -> list[int]:
        """Ids of the articles mentioning a canonical entity."""
        rows = self._db.execute(
            "SELECT article_id FROM entity_articles WHERE entity_id = ? ORDER BY article_id",
            (entity_id,))
        return [int(r[0]) for r in rows]

    # -- the story catalogue --------------------------------------------------

    def story_page(self, sort: str, filters: StoryFilter, after: tuple[float, int] | None,
                   limit: int) -> list[tuple[int, float]]:
        """Live story ids with their sort key, best first, after the keyset ``after``.

        ``sort``: "newest" (last day seen), "largest" (articles) or "origins"
        (independent origins: an article the reuse stage linked to none is its own).
        """
        if sort == "newest":
            key = "coalesce(s.last_day, 0)"
        elif sort == "largest":
            key = "s.size"
        elif sort == "origins":
            key = "0"  # counted once per store generation, below
        else:
            raise ValueError(f"unknown sort {sort!r}")
        where = ["s.merged_into IS NULL", "s.size > 0"]
        params: list[object] = []
        if filters.since is not None:
            where.append("s.last_day >= ?")
            params.append(filters.since.toordinal())
        if filters.until is not None:
            where.append("s.first_day <= ?")
            params.append(filters.until.toordinal())
        # the stories with a member of the outlet, of the language, or mentioning the
        # entity: read once per store state for every page that filters by them
        self.stale_order = False
        members = self._filtered(filters)
        if sort == "origins":
            # while another thread brings the order up to date after a store change, the
            # order counted before is walked (stale_order says so) rather than waited for
            kept = self._origin_counts(wait=self.recount == "wait",
                                       count=self.recount != "leave")
            self.stale_order |= kept.key != self._origins_key()
            order = kept.order
            # the order holds every live story: a filter's stories are read (from the
            # covering index stories_by_size where the filter is a date range); with none,
            # the order is the page
            ids = self._dated(where, params) if params else None
            if members is not None:
                ids = members if ids is None else ids & members
            start = 0 if after is None else bisect.bisect_right(
                order, (-after[0], -after[1]))
            found: list[tuple[int, float]] = []
            for negative, story in itertools.islice(order, start, None):
                if ids is None or -story in ids:
                    found.append((-story, -negative))
                    if len(found) >= limit:
                        break
            return found
        if after is not None:  # keyset: read in the covering index stories_by_size or _by_day
            where.append(f"({key}, s.id) < (?, ?)")
            params += [after[0], after[1]]
        sql = (f"SELECT s.id, {key} FROM stories s WHERE {' AND '.join(where)} "
               f"ORDER BY {key} DESC, s.id DESC")
        if members is None:
            return [(int(r[0]), float(r[1]))
                    for r in self._db.execute(sql + " LIMIT ?", [*params, limit])]
        # the covering index walked in order, the filter's stories kept
        listed: list[tuple[int, float]] = []
        for r in self._db.execute(sql, params):
            if int(r[0]) in members:
                listed.append((int(r[0]), float(r[1])))
                if len(listed) >= limit:
                    break
        return listed

    def _filtered(self, filters: StoryFilter) -> frozenset[int] | None:
        """The stories that pass the filters by member (an outlet, a language, an entity;
        None when there is none): each filter's stories are read once per store state
        and shared by every page, sort and size asking for them (reading an outlet's
        stories took 7-9 ms at 100k articles, for each page computed). With ``recount``
        "leave" a filter's stories read at an earlier state are used as they are and the
        page says so (``stale_order``): the thread refilling it reads them again."""
        wanted = [(name, value) for name, value in (
            ("outlet", filters.outlet), ("language", filters.language),
            ("entity", filters.entity)) if value is not None and value != ""]
        if not wanted:
            return None
        path, state = self._store.path, self._origins_key()
        found: frozenset[int] | None = None
        for item in wanted:
            with _ORIGINS_LOCK:
                kept = _FILTERS.setdefault(path, {})
                entry = kept.get(item)
            if entry is not None and entry[0] != state and self.recount == "leave":
                self.stale_order = True  # read again by the thread that refills the page
            elif entry is None or entry[0] != state:
                entry = (state, self._filter_stories(*item))
                with _ORIGINS_LOCK:
                    if item in kept or len(kept) < FILTERS_KEPT:
                        kept[item] = entry
            found = entry[1] if found is None else found & entry[1]
        return found

    def _dated(self, where: list[str], params: list[object]) -> frozenset[int]:
        """The live stories in a date range (the "origins" order holds every live story):
        read once per store state, as a filter's stories are (reading them took 4 ms
        at 100k articles, for each page of the order computed with a date range)."""
        path, state, item = self._store.path, self._origins_key(), ("dates", tuple(params))
        with _ORIGINS_LOCK:
            kept = _FILTERS.setdefault(path, {})
            entry = kept.get(item)
        if entry is None or entry[0] != state:
            entry = (state, frozenset(int(r[0]) for r in self._db.execute(
                f"SELECT s.id FROM stories s WHERE {' AND '.join(where)}", params)))
            with _ORIGINS_LOCK:
                if item in kept or len(kept) < FILTERS_KEPT:
                    kept[item] = entry
        return entry[1]

    def _filter_stories(self, name: str, value: object) -> frozenset[int]:
        """The stories with a member of this outlet or language, or one mentioning this
        entity (merged and empty ones included: the pages' queries leave them out)."""
        if name == "entity":
            sql = ("SELECT DISTINCT m.story_id FROM entity_articles e JOIN story_members m "
                   "ON m.article_id = e.article_id WHERE e.entity_id = ?")
        elif name in ("outlet", "language"):
            sql = (f"SELECT DISTINCT m.story_id FROM articles a JOIN story_members m "
                   f"ON m.article_id = a.id WHERE a.{name} = ?")
        else:
            raise ValueError(f"no story filter {name!r}")
        return frozenset(int(r[0]) for r in self._db.execute(sql, (value,)))

    def facet_values(self, column: str, limit: int = 50) -> list[tuple[str, int]]:
        """The most frequent outlets or languages, for the filter menus."""
        if column not in ("outlet", "language"):
            raise ValueError(f"no facet {column!r}")
        rows = self._db.execute(
            f"SELECT {column}, count(*) AS n FROM articles WHERE {column} IS NOT NULL "
            f"GROUP BY {column} ORDER BY n DESC, {column} LIMIT ?", (limit,))
        return [(str(r[0]), int(r[1])) for r in rows]
