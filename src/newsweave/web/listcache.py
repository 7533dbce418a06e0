"""The story and article lists, kept per store state: a list asked for again before the
store changes is served from memory, and after a change it is computed again once, in a
background thread, while requests are given the page computed before.

A page of the story list costs the server milliseconds of CPU (its stories' members,
outlets and origins; the confidence of each); on a busy server the same few pages (the
home page, each sort's first pages, the cursors after them) are asked for again and
again between two writes. Each request reads the store's change counter
(:meth:`newsweave.store.listing.ListingTables.listing_state`: the newest stage result,
article and story-log entry). A page computed at that state is reused as it is. When
the store has changed, the request is given the page computed before, the previous
consistent one, and the page is computed again (a *refill*) once: by the cache's refill
thread when the caller gave one (``refill``), else by that first request while the
requests arriving meanwhile get the previous page. An ingest changes the store every
few seconds; a refill right after a change (the "origins" order recounted, the
confidences of new stories) cost the request that did it up to hundreds of
milliseconds behind the other requests, the lists' slowest 5 %. So a page is never
older than one refill: once a refill has ended, every request sees its result or a
newer one. A page asked for the first time is computed by one request; the others wait
for it.

What is kept is the page's stories (with their confidences) or articles; each request
builds its rows from them (a story's contested points come from the briefs computed so
far) and its own ``next_url``. A page that shows something of an earlier state (a
confidence being refreshed in the background, ``confidence_current: false``; the
"origins" order while another thread recounts it; the confidences of stories never
listed, which the requests leave to the refill) is kept as *incomplete*: it is served
only until its next refill, asked for at once.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)
KEPT = 512  # pages kept (each a few to a few hundred rows)
WAIT = 60.0  # seconds a request waits for another's first computation of a page
# A refill run by the refill thread: the store state it read first, the page, whether the
# page is complete (the state is read before the page, so a change during the refill
# leaves the page older than its label says never: the next request refills it again).
Refill = Callable[[], tuple[Hashable, Any, bool]]


@dataclass(slots=True)
class _Page:
    state: Hashable  # the store's change counter the page was computed at
    value: Any  # None until first computed
    complete: bool  # shows nothing of an earlier state (see the module's docstring)
    refill: threading.Event | None = None  # set when the running computation ends


@dataclass(frozen=True, slots=True)
class Served:
    """A page as served: ``state`` the store state it was computed at, ``current``
    whether that is the state the request read and the page is complete."""

    value: Any
    state: Hashable
    current: bool


class ListCache:
    """Computed list pages by (what was asked, store state); the oldest dropped beyond
    ``kept``. ``hits``: pages reused as computed at the request's state; ``stale``:
    previous pages served while their refill was due or ran; ``misses``: pages computed
    (in a request or in the refill thread); ``refills``: computations by the refill
    thread (refills and pages read ahead)."""

    def __init__(self, kept: int = KEPT) -> None:
        self._kept = kept
        self._lock = threading.Lock()
        self._pages: OrderedDict[Hashable, _Page] = OrderedDict()
        # refills waiting: the page (kept again when dropped meanwhile) and its refill
        self._due: OrderedDict[Hashable, tuple[_Page, Refill]] = OrderedDict()
        self._wake = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._busy = 0  # refills waiting or running
        self.hits = 0
        self.stale = 0
        self.misses = 0
        self.refills = 0
        self.ahead_asked = 0  # pages read ahead (see ahead)

    def page(self, key: Hashable, state: Hashable,
             compute: Callable[[], tuple[Any, bool]], refill: Refill | None = None) -> Any:
        """The page ``key`` at store state ``state``: see :meth:`serve`."""
        return self.serve(key, state, compute, refill).value

    def serve(self, key: Hashable, state: Hashable, compute: Callable[[], tuple[Any, bool]],
              refill: Refill | None = None) -> Served:
        """The page ``key`` at store state ``state``: kept, or computed by ``compute``
        (which returns the page and whether it is complete) in this request when never
        computed, or the previous page while it is computed again (by ``refill`` in the
        refill thread, or by ``compute`` in this request when ``refill`` is None)."""
        if self._kept <= 0:
            with self._lock:
                self.misses += 1
            return Served(compute()[0], state, True)
        for _ in range(2):  # a first computation waited for, then this request's own
            with self._lock:
                found = self._pages.get(key)
                if found is None:
                    found = self._pages[key] = _Page(state, None, False, threading.Event())
                    self._evict()
                    mine = found
                else:
                    self._pages.move_to_end(key)
                    if found.value is not None and found.state == state and found.complete:
                        self.hits += 1
                        return Served(found.value, found.state, True)
                    if found.value is not None and refill is not None:
                        self.stale += 1
                        if found.refill is None:
                            found.refill = threading.Event()
                            self._schedule(key, found, refill)
                        return Served(found.value, found.state, False)
                    if found.refill is None:
                        found.refill = threading.Event()
                        mine = found
                    elif found.value is not None:
                        self.stale += 1
                        return Served(found.value, found.state, False)
                    elif key in self._due:  # read ahead, not started: computed here
                        del self._due[key]
                        self._busy -= 1
                        self._wake.notify_all()
                        mine = found
                    else:
                        mine = None
                        waited = found.refill
            if mine is not None:
                value, complete = self._compute(key, mine, state, compute)
                if not complete and refill is not None:  # refilled at once, not when asked
                    with self._lock:
                        if mine.refill is None and self._pages.get(key) is mine:
                            mine.refill = threading.Event()
                            self._schedule(key, mine, refill)
                return Served(value, state, complete)
            waited.wait(WAIT)  # another request's first computation of this page
            with self._lock:
                found = self._pages.get(key)
                if found is not None and found.value is not None:
                    current = found.state == state and found.complete
                    self.stale += not current
                    self.hits += current
                    return Served(found.value, found.state, current)
        with self._lock:
            self.misses += 1
        return Served(compute()[0], state, False)  # the other failed twice: not kept

    def _compute(self, key: Hashable, mine: _Page, state: Hashable,
                 compute: Callable[[], tuple[Any, bool]]) -> tuple[Any, bool]:
        with self._lock:
            self.misses += 1
        try:
            value, complete = compute()
        except BaseException:
            self._failed(key, mine)
            raise
        self._store(key, mine, state, value, complete)
        return value, complete

    def _failed(self, key: Hashable, mine: _Page) -> None:
        with self._lock:
            done, mine.refill = mine.refill, None
            if mine.value is None and self._pages.get(key) is mine:
                del self._pages[key]
        if done is not None:
            done.set()

    def _store(self, key: Hashable, mine: _Page, state: Hashable, value: Any,
               complete: bool) -> None:
        with self._lock:
            mine.state, mine.value, mine.complete = state, value, complete
            done, mine.refill = mine.refill, None
            if self._pages.get(key) is not mine:  # dropped meanwhile: kept again
                self._pages[key] = mine
                self._evict()
        if done is not None:
            done.set()

    def holds(self, key: Hashable) -> bool:
        """Whether the page ``key`` is kept (computed, or being computed)."""
        with self._lock:
            return key in self._pages

    def ahead(self, key: Hashable, refill: Refill, *, behind: bool = False) -> None:
        """Compute the page ``key`` in the refill thread if it was never computed and no
        refill is waiting (the next page of a list a reader is paging: asked for before
        it is computed, the request computes it, or waits for the refill thread's
        computation once started); with ``behind``, after the refills waiting (a
        server's first pages, computed at its start)."""
        if self._kept <= 0:
            return
        with self._lock:
            if key in self._pages or (self._due and not behind) or self._stopping:
                return
            page = self._pages[key] = _Page(None, None, False, threading.Event())
            self._evict()
            self.ahead_asked += 1
            self._schedule(key, page, refill)

    # -- the refill thread ----------------------------------------------------------

    def _schedule(self, key: Hashable, page: _Page, refill: Refill) -> None:  # under lock
        if key not in self._due:  # a page dropped and asked for again: one refill
            self._busy += 1
        self._due[key] = (page, refill)
        if self._thread is None and not self._stopping:
            self._thread = threading.Thread(target=self._run, name="list-refills",
                                            daemon=True)
            self._thread.start()
        self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._due and not self._stopping:
                    self._wake.wait()
                if self._stopping:
                    return
                key, (mine, refill) = self._due.popitem(last=False)  # oldest first
                self.misses += 1
                self.refills += 1
            try:
                try:
                    state, value, complete = refill()
                except Exception:  # the previous page stays, refilled when asked again
                    log.warning("list page %r not refilled", key, exc_info=True)
                    self._failed(key, mine)
                else:
                    self._store(key, mine, state, value, complete)
            finally:
                with self._lock:
                    self._busy -= 1
                    self._wake.notify_all()

    def settle(self, timeout: float = 60.0) -> bool:
        """Wait until no refill is waiting or running (tests, benchmarks); whether so."""
        with self._lock:
            return self._wake.wait_for(lambda: self._busy == 0, timeout)

    def stop(self) -> None:
        """End the refill thread (the refills not started are dropped)."""
        with self._lock:
            self._stopping = True
            self._busy -= len(self._due)
            dropped = [page for page, _ in self._due.values()]
            self._due.clear()
            self._wake.notify_all()
            thread = self._thread
        for page in dropped:  # a request waiting for a page read ahead computes it
            if page.refill is not None:
                page.refill.set()
        if thread is not None:
            thread.join(timeout=5)

    def _evict(self) -> None:  # under the lock
        while len(self._pages) > self._kept:
            self._pages.popitem(last=False)
