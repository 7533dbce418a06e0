"""Briefs for the web: computed by one background worker, kept per story, served stale
while a newer one is computed.

A brief takes from a fraction of a second to tens of seconds (claim embeddings), so a
story page does not wait for it: the page shows what is known at once and the brief
when it is ready (the page asks the browser to reload, no script needed). One worker
thread computes briefs one at a time, so concurrent readers never compute the same
brief twice nor slow each other down; after an ingest changes a story, its previous
brief is shown, marked as being updated, until the new one is ready.
"""

from __future__ import annotations

import queue
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from newsweave.engine import Engine

KEPT = 256  # briefs kept in memory (a brief's JSON is tens of kilobytes)


@dataclass(slots=True)
class BriefState:
    data: dict[str, Any] | None  # the newest brief computed (None: none yet)
    current: bool  # computed at the store's present generation
    error: str | None = None


class BriefWorker:
    """One thread with its own engine that computes the briefs asked for."""

    def __init__(self, open_engine: Callable[[], Engine]) -> None:
        self._open = open_engine
        self._lock = threading.Lock()
        self._done: OrderedDict[int, tuple[int, dict[str, Any]]] = OrderedDict()
        self._errors: dict[tuple[int, int], str] = {}
        self._queued: set[tuple[int, int]] = set()
        self._events: dict[tuple[int, int], threading.Event] = {}
        self._queue: queue.Queue[tuple[int, int] | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def state(self, story: int, generation: int) -> BriefState:
        """What is known of ``story``'s brief now; asks for it if it is missing or stale."""
        with self._lock:
            found = self._done.get(story)
            error = self._errors.get((story, generation))
            if found is not None:
                self._done.move_to_end(story)
            if error is None and (found is None or found[0] != generation):
                self._ask((story, generation))
        if found is None:
            return BriefState(None, False, error)
        return BriefState(found[1], found[0] == generation, error)

    def peek(self, story: int) -> dict[str, Any] | None:
        """The newest brief computed for ``story``, if any, without asking for one."""
        with self._lock:
            found = self._done.get(story)
        return found[1] if found else None

    def wait(self, story: int, generation: int, timeout: float) -> BriefState:
        """The brief at ``generation`` if the worker finishes it within ``timeout`` seconds."""
        state = self.state(story, generation)
        if state.current or state.error or state.data is not None:
            return state  # an older brief is shown at once while the new one is computed
        with self._lock:
            # made by state() when it asked; gone once the worker has finished this key
            event = self._events.get((story, generation))
        if event is not None:
            event.wait(timeout)
        return self.state(story, generation)

    def _ask(self, key: tuple[int, int]) -> None:
        if key in self._queued:
            return
        self._queued.add(key)
        self._events.setdefault(key, threading.Event())
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="briefs", daemon=True)
            self._thread.start()
        self._queue.put(key)

    def _run(self) -> None:
        try:
            engine = self._open()
        except Exception as exc:  # the store cannot be opened: every brief fails, visibly
            with self._lock:
                for key in self._queued:
                    self._errors[key] = f"the store could not be opened ({exc})"
                    if key in self._events:
                        self._events.pop(key).set()
                self._queued.clear()
                self._thread = None
            return
        try:
            while (key := self._queue.get()) is not None:
                story, generation = key
                try:
                    data, error = engine.brief(story).to_dict(), None
                except Exception as exc:  # one story's failure must not stop the worker
                    data, error = None, f"the brief could not be computed ({type(exc).__name__})"
                with self._lock:
                    self._queued.discard(key)
                    if data is not None:
                        self._done[story] = (generation, data)
                        while len(self._done) > KEPT:
                            self._done.popitem(last=False)
                    else:
                        self._errors[key] = error or "failed"
                    event = self._events.pop(key, None)
                if event is not None:
                    event.set()
        finally:
            engine.close()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=5)
