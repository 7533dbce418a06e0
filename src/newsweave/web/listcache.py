"""The story and article lists, kept per store state: a list asked for again before the
store changes is served from memory.

A page of the story list costs the server milliseconds of CPU (its stories' members,
outlets and origins; the confidence of each); on a busy server the same few pages (the
home page, each sort's first pages, the cursors after them) are asked for again and
again between two writes. Each request reads the store's change counter
(:meth:`newsweave.store.search.SearchTables.listing_state`: the newest stage result,
article and story-log entry); a page is reused only while it is as it was when the page
was computed, so a listing is never older than the last write committed before the
request. What is kept is the page's stories (with their confidences) or articles; each
request builds its rows from them (a story's contested points come from the briefs
computed so far) and its own ``next_url``. A page showing a confidence of an earlier
store state (``confidence_current: false``, refreshed in the background) is not kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

KEPT = 512  # pages kept (each a few to a few hundred rows)


class ListCache:
    """Computed list pages by (path, query, state); the oldest dropped beyond KEPT."""

    def __init__(self, kept: int = KEPT) -> None:
        self._kept = kept
        self._lock = threading.Lock()
        self._pages: OrderedDict[Hashable, Any] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            found = self._pages.get(key)
            if found is None:
                self.misses += 1
                return None
            self._pages.move_to_end(key)
            self.hits += 1
            return found

    def put(self, key: Hashable, value: Any) -> None:
        if self._kept <= 0:
            return
        with self._lock:
            self._pages[key] = value
            self._pages.move_to_end(key)
            while len(self._pages) > self._kept:
                self._pages.popitem(last=False)
