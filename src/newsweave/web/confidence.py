"""Stories' confidences for the lists, remembered between requests and refreshed in the
background after the store changes.

A story's confidence (how clearly it stands apart from its nearest stories,
:mod:`newsweave.stories.user`) costs a few milliseconds to compute, twenty times what
the rest of its listing costs, and a page of a list shows up to 200 stories; every
write of any stage can change it (a new story may stand close to an old one). So the
server remembers each story's confidence with the store generation it was computed at:
a listing at that generation shows it as it is; at a later one it shows the value
computed before (``confidence_current: false``) and one background thread computes the
new one, so lists stay fast while an ingest runs and catch up within seconds. A story
never seen before is computed in the request.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

from newsweave.engine import Engine
from newsweave.model import Story

log = logging.getLogger(__name__)
KEPT = 50_000  # stories remembered (a few hundred bytes each)
FIELDS = ("confidence", "cohesion", "nearest_story", "nearest_similarity")
Values = tuple[object, ...]


class Confidences:
    """Confidence fields per story, shared by the server's threads."""

    def __init__(self, open_engine: Callable[[], Engine]) -> None:
        self._open = open_engine
        self._lock = threading.Lock()
        self._known: OrderedDict[int, tuple[int, Values]] = OrderedDict()
        self._asked: set[int] = set()
        self._queue: queue.Queue[int | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def fill(self, engine: Engine, stories: Sequence[Story]) -> dict[int, bool]:
        """Set the confidence fields of ``stories`` (listed without them); returns per
        story whether the value is of the store's present generation."""
        generation = engine.store.search.generation()
        current: dict[int, bool] = {}
        for story in stories:
            with self._lock:
                found = self._known.get(story.id)
                if found is not None:
                    self._known.move_to_end(story.id)
                    if found[0] != generation:
                        self._ask(story.id)
            if found is None:
                found = (generation, _values(engine, story.id))
                self._remember(story.id, found)
            current[story.id] = found[0] == generation
            for name, value in zip(FIELDS, found[1], strict=True):
                setattr(story, name, value)
        return current

    def _remember(self, story_id: int, entry: tuple[int, Values]) -> None:
        with self._lock:
            self._known[story_id] = entry
            while len(self._known) > KEPT:
                self._known.popitem(last=False)

    def _ask(self, story_id: int) -> None:  # under the lock
        if story_id in self._asked:
            return
        self._asked.add(story_id)
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="confidences", daemon=True)
            self._thread.start()
        self._queue.put(story_id)

    def _run(self) -> None:
        engine = self._open()
        try:
            while (story_id := self._queue.get()) is not None:
                with self._lock:
                    self._asked.discard(story_id)
                try:
                    generation = engine.store.search.generation()
                    self._remember(story_id, (generation, _values(engine, story_id)))
                except Exception:  # a story merged away meanwhile, or the store is busy
                    log.info("confidence of story %s not refreshed", story_id, exc_info=True)
        finally:
            engine.close()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=5)


def _values(engine: Engine, story_id: int) -> Values:
    fresh = engine.story(story_id)
    return tuple(getattr(fresh, name) for name in FIELDS)
