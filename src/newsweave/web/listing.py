"""The list pages (the story list and the article export), served from the list cache.

A page is computed at the store's state (its change counter) and kept in the list cache
(:mod:`newsweave.web.listcache`); a story list page is cut from a *span* of the list
(:mod:`newsweave.web.spans`); the pages after it are computed ahead by the cache's refill
thread, on an engine of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from starlette.requests import Request

from newsweave.engine import Engine
from newsweave.store.search import StoryFilter
from newsweave.web import views
from newsweave.web.briefs import BriefWorker
from newsweave.web.confidence import Confidences
from newsweave.web.engines import Engines
from newsweave.web.listcache import ListCache, Served
from newsweave.web.paging import encode_cursor
from newsweave.web.params import StoriesQuery
from newsweave.web.respond import with_params
from newsweave.web.spans import Anchors, Cursor, Records, cursor_of, cut, span_limit

# Whether a list page served with a next page has that page computed ahead by the list
# cache's refill thread, for a reader paging on (see ListCache.ahead; docs/benchmarks.md,
# "Web and API under load, part 5").
READ_AHEAD = True


def _records(engine: Engine, ids: list[int]) -> list[Any]:
    """Listed stories' records, as :meth:`Engine.story_page` builds them (no confidence)."""
    from newsweave.stories import build_stories

    return build_stories(engine.store, ids)


class Listings:
    """The list pages of one app: the list cache, the spans' anchors and the stories'
    records shared by the spans computed at one store state."""

    def __init__(self, engines: Engines, lists: ListCache, confidences: Confidences,
                 briefs: BriefWorker, list_pages: int) -> None:
        self.engines = engines
        self.lists = lists
        self.confidences = confidences
        self.briefs = briefs
        self.list_pages = list_pages
        self.anchors = Anchors()
        self.records = Records()

    def listed(self, engine: Engine, key: tuple[object, ...],
               compute: Callable[[Engine, Any], tuple[Any, bool]],
               counter: str = "listing_state") -> Served:
        """A list page from the list cache (see web/listcache.py), keyed by what was asked
        and the store's change counter (a store without one: computed each time); a page
        the store has moved past is served as it was and refilled by the cache's refill
        thread, on an engine of its own."""
        state = getattr(engine.store.search, counter, None)
        if state is None:
            return Served(compute(engine, None)[0], None, True)
        # with pages kept, a request never counts the "origins" order (the refill thread
        # does); with none kept, each request computes its page at the store's state
        engine.store.search.recount = "leave" if self.list_pages > 0 else "wait"
        at = state()
        return self.lists.serve(key, at, lambda: compute(engine, at),
                                self.refill(compute, counter))

    def refill(self, compute: Callable[[Engine, Any], tuple[Any, bool]], counter: str
               ) -> Callable[[], tuple[Any, Any, bool]]:
        """``compute`` as the list cache's refill thread runs it: on its own engine, the
        store state read first."""

        def refill() -> tuple[Any, Any, bool]:
            own = self.engines.get()  # the refill thread's own engine
            # the refill thread brings the "origins" order up to date; requests walk the
            # order counted before meanwhile (see ListingTables.recount)
            own.store.search.recount = "wait"
            at = getattr(own.store.search, counter)()
            value, complete = compute(own, at)
            return at, value, complete

        return refill

    @staticmethod
    def _story_key(sort: str, filters: StoryFilter, after: Cursor | None, limit: int
                   ) -> tuple[object, ...]:
        """A span of the story list's key in the list cache (see web/spans.py): a
        request's, an anchor's and a read-ahead's."""
        return ("stories", sort, repr(filters), after, limit)

    def _story_list(self, sort: str, filters: StoryFilter, after: Cursor | None, limit: int,
                    engine: Engine | None) -> Callable[[Engine, Any], tuple[Any, bool]]:
        """The computation of a span of the story list: its ``limit`` stories after
        ``after`` with their confidences (each request cuts its page from it and builds
        the rows: their contested counts come from the briefs computed so far, and its
        own next_url)."""
        records, list_pages, confidences = self.records, self.list_pages, self.confidences

        def compute(on: Engine, state: Any) -> tuple[Any, bool]:
            rows = on.store.search.story_page(sort, filters, after, limit)
            keys = dict(rows)
            # the stories' records: shared by every span computed at this state (the
            # spans of the sorts and filters list mostly the same stories)
            built = (records.build(state, [r[0] for r in rows], partial(_records, on))
                     if state is not None and list_pages > 0
                     else _records(on, [r[0] for r in rows]))
            found = [(s, keys[s.id]) for s in built]
            stale = getattr(on.store.search, "stale_order", False)
            # a request leaves the confidences of stories never seen to the span's refill
            # (30-120 ms of CPU for 50 stories): the page shows them as not computed;
            # without pages kept or a change counter there is no refill to leave them to
            refilled = list_pages > 0 and hasattr(on.store.search, "story_listing_state")
            current = confidences.fill(on, [s for s, _ in found],
                                       unseen=on is not engine or not refilled)
            return (found, current), all(current.values()) and not stale

        return compute

    def _span(self, sort: str, filters: StoryFilter, after: Cursor | None, limit: int,
              engine: Engine | None
              ) -> tuple[tuple[object, ...], Callable[[Engine, Any], tuple[Any, bool]]]:
        return (self._story_key(sort, filters, after, limit),
                self._story_list(sort, filters, after, limit, engine))

    def _story_slice(self, ask: StoriesQuery, engine: Engine
                     ) -> tuple[list[tuple[Any, float]], dict[int, bool], Served, int,
                                Cursor | None]:
        """The page asked for (and the story after it), cut from a span: the one an
        anchor names for the cursor when it is kept and holds the page, else the span
        from the cursor itself (computed when not kept). Also the span it was cut from
        (served, limit, cursor)."""
        limit = span_limit(ask.size, self.list_pages > 0)
        listed = (ask.sort, repr(ask.filters))
        tries: list[tuple[Cursor | None, int]] = []
        if ask.after is not None and not self.lists.holds(
                self._story_key(ask.sort, ask.filters, ask.after, limit)):
            anchor = self.anchors.get(listed, ask.after)
            if anchor is not None and self.lists.holds(
                    self._story_key(ask.sort, ask.filters, *anchor)):
                tries.append(anchor)
        tries.append((ask.after, limit))
        for span_after, span_limit_ in tries:
            served = self.listed(engine, *self._span(ask.sort, ask.filters, span_after,
                                                     span_limit_, engine),
                                 "story_listing_state")
            found, current = served.value
            page = cut(found, ask.after, ask.size, span_limit_)
            if page is not None:
                return page, current, served, span_limit_, span_after
        raise AssertionError("a span from the cursor itself holds its page")

    def stories(self, request: Request, engine: Engine
                ) -> tuple[StoriesQuery, list[dict[str, Any]], str | None, Served]:
        """The story list page a request asks for: its query, rows, next page and span."""
        ask = StoriesQuery.parse(request.query_params)
        found, current, served, limit, span_after = self._story_slice(ask, engine)
        rows = [{**views.story_summary(s, self.briefs), "confidence_current": current[s.id]}
                for s, _ in found[:ask.size]]
        next_url = None
        if len(found) > ask.size:
            last, sort_key = found[ask.size - 1]
            next_url = with_params(request, cursor=encode_cursor(f"stories:{ask.sort}",
                                                                 sort_key, last.id))
            after = cursor_of(found[ask.size - 1])
            if cut(served.value[0], after, ask.size, limit) is not None:
                # the next page is in this span too: a reader paging on is served from it
                self.anchors.put((ask.sort, repr(ask.filters)), after, (span_after, limit))
            elif READ_AHEAD:  # the span from the next cursor, computed by the refill thread
                # after the refills waiting (a reader asking for it before the thread
                # starts it computes it, as without read-ahead)
                self.lists.ahead(*self.refilled(ask.sort, ask.filters, after,
                                                span_limit(ask.size, self.list_pages > 0),
                                                engine),
                                 behind=True)
        return ask, rows, next_url, served

    def refilled(self, sort: str, filters: StoryFilter, after: Cursor | None, limit: int,
                 engine: Engine | None
                 ) -> tuple[tuple[object, ...], Callable[[], tuple[Any, Any, bool]]]:
        """A span of the story list and its computation as the refill thread runs it."""
        key, compute = self._span(sort, filters, after, limit, engine)
        return key, self.refill(compute, "story_listing_state")
