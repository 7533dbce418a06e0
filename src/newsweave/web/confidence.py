"""Stories' confidences for the lists, remembered between requests.

A story's confidence (how clearly it stands apart from its nearest stories,
:mod:`newsweave.stories.user`) costs a few milliseconds to compute, twenty times
what the rest of its listing costs; a page of a list shows up to 200 stories. The
server keeps each one it computed, keyed by what the story is (its articles and
title): a story that changes gets a new one at its next listing. A change of a
neighbouring story alone shows after at most :data:`MAX_AGE` seconds.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Sequence

from newsweave.engine import Engine
from newsweave.model import Story

KEPT = 50_000  # stories remembered (a few hundred bytes each)
MAX_AGE = 600.0
_FIELDS = ("confidence", "cohesion", "nearest_story", "nearest_similarity")


class Confidences:
    """Confidence fields per story, shared by the server's threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: OrderedDict[tuple[object, ...], tuple[float, tuple[object, ...]]] = \
            OrderedDict()

    def fill(self, engine: Engine, stories: Sequence[Story]) -> None:
        """Set the confidence fields of ``stories`` (listed without them), computing
        only those not remembered."""
        now = time.monotonic()
        for story in stories:
            key = (story.id, len(story.articles), story.articles[-1] if story.articles else 0,
                   story.title)
            with self._lock:
                found = self._known.get(key)
            if found is None or now - found[0] > MAX_AGE:
                fresh = engine.story(story.id)
                values = tuple(getattr(fresh, name) for name in _FIELDS)
                with self._lock:
                    self._known[key] = (now, values)
                    while len(self._known) > KEPT:
                        self._known.popitem(last=False)
            else:
                values = found[1]
            for name, value in zip(_FIELDS, values, strict=True):
                setattr(story, name, value)
