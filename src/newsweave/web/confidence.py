"""Stories' confidences for the lists, remembered between requests and refreshed in the
background when their story changes.

A story's confidence (how clearly it stands apart from its nearest stories,
:mod:`newsweave.stories.user`) costs a few milliseconds to compute, twenty times what
the rest of its listing costs, and a page of a list shows up to 200 stories. Its own
change (a member or its title) changes it at once; a neighbour's change (a new story
standing close to it) may too. Recomputing every listed story at every write of an
ingest kept one core busy with confidences while the ingest ran, so the server
remembers each story's confidence with the story's stamp (title and members) and the
time it was computed: the value is current while the stamp is the same and it is younger
than ``refresh_after`` seconds (a neighbour's change shows within that time). Otherwise a
listing shows the value computed before (``confidence_current: false``) and one
background thread computes the new one. A story never seen before is computed in the
request (once: a request listing it while another computes it waits for that), or, in
the web server's list requests, left to the list's refill (``fill(unseen=False)``): the
listing shows it without a confidence (``confidence_current: false``) until then.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence

from newsweave.engine import Engine
from newsweave.model import Story

log = logging.getLogger(__name__)
KEPT = 50_000  # stories remembered (a few hundred bytes each)
REFRESH_AFTER = 600.0  # seconds: how late a neighbour's change may show in a confidence
WAIT = 60.0  # seconds a list waits for a confidence another request is computing
FIELDS = ("confidence", "cohesion", "nearest_story", "nearest_similarity")
Values = tuple[object, ...]
Stamp = tuple[str, tuple[int, ...]]
Known = tuple[Stamp, float, Values]  # the story's stamp, when computed, the values


class Confidences:
    """Confidence fields per story, shared by the server's threads."""

    def __init__(self, open_engine: Callable[[], Engine],
                 refresh_after: float = REFRESH_AFTER) -> None:
        self._open = open_engine
        self._refresh_after = refresh_after
        self._lock = threading.Lock()
        self._known: OrderedDict[int, Known] = OrderedDict()
        self._asked: set[int] = set()
        self._computing: dict[int, threading.Event] = {}  # never seen, being computed
        self._queue: queue.Queue[int | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def fill(self, engine: Engine, stories: Sequence[Story], *, unseen: bool = True
             ) -> dict[int, bool]:
        """Set the confidence fields of ``stories`` (listed without them); returns per
        story whether the value is current (see the module's docstring). With ``unseen``
        false a story never seen is not computed here: its fields stay None and it is
        not current (the web server's requests leave it to the list's refill)."""
        current: dict[int, bool] = {}
        known: dict[int, Known] = {}
        for story in stories:
            with self._lock:
                found = self._known.get(story.id)
                if found is not None:
                    self._known.move_to_end(story.id)
                    if not self._fresh(found, _stamp(story)):
                        self._ask(story.id)
            if found is not None:
                known[story.id] = found
        if not unseen:
            for story in stories:
                found = known.get(story.id)
                current[story.id] = found is not None and self._fresh(found, _stamp(story))
                for name, value in zip(FIELDS, found[2] if found else (None,) * len(FIELDS),
                                       strict=True):
                    setattr(story, name, value)
            return current
        # the stories never seen: computed here, all at once (the candidates' vectors
        # read once for the page, not a whole story record built for each); a story
        # another request is computing already is waited for, not computed twice (8
        # clients opening the lists of a new server asked for the same stories at once)
        never = [s for s in stories if s.id not in known]
        with self._lock:
            theirs = {s.id: self._computing[s.id] for s in never if s.id in self._computing}
            mine = [s for s in never if s.id not in theirs]
            done = threading.Event()
            self._computing.update((s.id, done) for s in mine)
        try:
            for story_id, found in _compute_listed(engine, mine).items():
                self._remember(story_id, found)
                known[story_id] = found
        finally:
            with self._lock:
                for s in mine:
                    self._computing.pop(s.id, None)
            done.set()
        for story_id, event in theirs.items():
            event.wait(WAIT)
            with self._lock:
                found = self._known.get(story_id)
            if found is None:  # the other request failed: computed here
                found = _compute_listed(engine, [s for s in never if s.id == story_id])[story_id]
                self._remember(story_id, found)
            known[story_id] = found
        for story in stories:
            found = known[story.id]
            current[story.id] = self._fresh(found, _stamp(story))
            for name, value in zip(FIELDS, found[2], strict=True):
                setattr(story, name, value)
        return current

    def _fresh(self, found: Known, stamp: Stamp) -> bool:
        return found[0] == stamp and time.monotonic() - found[1] < self._refresh_after

    def _remember(self, story_id: int, entry: Known) -> None:
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
                    self._remember(story_id, _compute(engine, story_id))
                except Exception:  # a story merged away meanwhile, or the store is busy
                    log.info("confidence of story %s not refreshed", story_id, exc_info=True)
                finally:
                    self._queue.task_done()
        finally:
            engine.close()

    def settle(self, timeout: float = 60.0) -> bool:
        """Wait until no refresh is waiting or running (tests, benchmarks); whether so."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=5)


def _stamp(story: Story) -> Stamp:
    return story.title, tuple(sorted(story.articles))


def _compute_listed(engine: Engine, stories: Sequence[Story]) -> dict[int, Known]:
    """The confidence fields of listed stories, as :meth:`Engine.story` computes them
    (the same function on the same rows), for all of them in one call: a listed story
    already carries its stamp (title, members), so only the confidences are computed."""
    if not stories:
        return {}
    from newsweave.stories import weights_from
    from newsweave.stories.meaning import weighed_meanings
    from newsweave.stories.user import confidences

    weights = weights_from(engine.settings)
    sure = confidences(engine.store.stories, [s.id for s in stories], weights,
                       weighed_meanings(engine.store, weights), engine.settings.story_threshold)
    now = time.monotonic()
    empty = Story(0, "", [], [], None, None, 0)  # the fields of a story without them
    return {s.id: (_stamp(s), now, tuple(getattr(sure.get(s.id, empty), name)
                                         for name in FIELDS)) for s in stories}


def _compute(engine: Engine, story_id: int) -> Known:
    fresh = engine.story(story_id)
    return _stamp(fresh), time.monotonic(), tuple(getattr(fresh, name) for name in FIELDS)
