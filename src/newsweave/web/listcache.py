"""The story and article lists, kept per store state: a list asked for again before the
store changes is served from memory, and after a change it is computed again once, not
once per request.

A page of the story list costs the server milliseconds of CPU (its stories' members,
outlets and origins; the confidence of each); on a busy server the same few pages (the
home page, each sort's first pages, the cursors after them) are asked for again and
again between two writes. Each request reads the store's change counter
(:meth:`newsweave.store.search.SearchTables.listing_state`: the newest stage result,
article and story-log entry). A page computed at that state is reused as it is. When
the store has changed, the first request for the page computes it again (a *refill*);
the requests for the same page that arrive while the refill runs are given the page
computed before, the previous consistent one, instead of each computing it too (an
ingest changes the store every few seconds, and 8 clients asking for the first page
then computed it 8 times, each slower for the others). So a page is never older than
one refill: once a refill has ended, every request sees its result or a newer one. A
page asked for the first time is computed by one request; the others wait for it.

What is kept is the page's stories (with their confidences) or articles; each request
builds its rows from them (a story's contested points come from the briefs computed so
far) and its own ``next_url``. A page that shows something of an earlier state (a
confidence being refreshed in the background, ``confidence_current: false``; the
"origins" order while another thread recounts it) is kept as *incomplete*: it is served
only while its next refill runs, and the next request computes it again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

KEPT = 512  # pages kept (each a few to a few hundred rows)
WAIT = 60.0  # seconds a request waits for another's first computation of a page


@dataclass(slots=True)
class _Page:
    state: Hashable  # the store's change counter the page was computed at
    value: Any  # None until first computed
    complete: bool  # shows nothing of an earlier state (see the module's docstring)
    refill: threading.Event | None = None  # set when the running computation ends


class ListCache:
    """Computed list pages by (what was asked, store state); the oldest dropped beyond
    ``kept``. ``hits``: pages reused as computed at the request's state; ``stale``:
    previous pages served while their refill ran; ``misses``: pages computed."""

    def __init__(self, kept: int = KEPT) -> None:
        self._kept = kept
        self._lock = threading.Lock()
        self._pages: OrderedDict[Hashable, _Page] = OrderedDict()
        self.hits = 0
        self.stale = 0
        self.misses = 0

    def page(self, key: Hashable, state: Hashable,
             compute: Callable[[], tuple[Any, bool]]) -> Any:
        """The page ``key`` at store state ``state``: kept, or computed by ``compute``
        (which returns the page and whether it is complete) in this request, or the
        previous page while another request computes it again."""
        if self._kept <= 0:
            with self._lock:
                self.misses += 1
            return compute()[0]
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
                        return found.value
                    if found.refill is None:
                        found.refill = threading.Event()
                        mine = found
                    elif found.value is not None:
                        self.stale += 1
                        return found.value
                    else:
                        mine = None
                        waited = found.refill
            if mine is not None:
                return self._compute(key, mine, state, compute)
            waited.wait(WAIT)  # another request's first computation of this page
            with self._lock:
                found = self._pages.get(key)
                if found is not None and found.value is not None:
                    self.stale += found.state != state or not found.complete
                    self.hits += found.state == state and found.complete
                    return found.value
        with self._lock:
            self.misses += 1
        return compute()[0]  # the other computation failed twice: not kept

    def _compute(self, key: Hashable, mine: _Page, state: Hashable,
                 compute: Callable[[], tuple[Any, bool]]) -> Any:
        with self._lock:
            self.misses += 1
        try:
            value, complete = compute()
        except BaseException:
            with self._lock:
                done, mine.refill = mine.refill, None
                if mine.value is None and self._pages.get(key) is mine:
                    del self._pages[key]
            if done is not None:
                done.set()
            raise
        with self._lock:
            mine.state, mine.value, mine.complete = state, value, complete
            done, mine.refill = mine.refill, None
            if self._pages.get(key) is not mine:  # dropped meanwhile: kept again
                self._pages[key] = mine
                self._evict()
        if done is not None:
            done.set()
        return value

    def _evict(self) -> None:  # under the lock
        while len(self._pages) > self._kept:
            self._pages.popitem(last=False)
