"""The articles' sentence vectors, a second opinion on their words (#12).

The reuse stage stores an English MiniLM vector of each English article's title and lead
(``reuse.semantic.english_text``). Where two articles both have one, their cosine scales
their word similarity (:func:`newsweave.stories.vectors.semantic_factor`); an article
without one (another language, a stories-only store) is scored as before. The stage reads
the vectors, it never computes them (data flows one way: reuse runs first).

Online assignment scores an article against a story's *mean* similarity, and the mean
cosine of a unit vector to a story's members is the vector times the sum of theirs, over
their count: :class:`Meanings` sums the members' stored vectors when a story is first
scored in a run (only stories that come close: see :func:`newsweave.stories.assign.assign`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np

from newsweave.store.stories import StoryTables
from newsweave.stories.vectors import Weights

Reader = Callable[[Sequence[int]], Mapping[int, np.ndarray]]


class Meanings:
    """Articles' stored sentence vectors by id, read once per run through ``read``."""

    __slots__ = ("_read", "_vectors")

    def __init__(self, read: Reader) -> None:
        self._read = read
        self._vectors: dict[int, np.ndarray | None] = {}

    def of(self, article_ids: Iterable[int]) -> dict[int, np.ndarray]:
        """The vectors of those of ``article_ids`` that have one (unit length, float64)."""
        ids = list(article_ids)
        missing = [a for a in ids if a not in self._vectors]
        if missing:
            found = self._read(missing)
            for a in missing:
                row = found.get(a)
                self._vectors[a] = None if row is None else _unit(row)
        return {a: v for a in ids if (v := self._vectors[a]) is not None}

    def sums(self, tables: StoryTables, story_ids: Iterable[int]
             ) -> dict[int, tuple[np.ndarray | None, int]]:
        """Each story's summed member vectors and how many members have one, as stored
        now (members a running assignment has not saved yet are not among them)."""
        members = tables.members(story_ids)
        vectors = self.of(a for m in members.values() for a in m)
        found: dict[int, tuple[np.ndarray | None, int]] = {}
        for story_id in story_ids:
            rows = [vectors[a] for a in members.get(story_id, ()) if a in vectors]
            found[story_id] = (np.sum(rows, axis=0) if rows else None, len(rows))
        return found


def _unit(row: np.ndarray) -> np.ndarray | None:
    vector = np.asarray(row, dtype=np.float64)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else None


def store_meanings(store: object, model: str) -> Meanings | None:
    """A :class:`Meanings` over ``store``'s reuse vectors of ``model``; None when the store
    keeps none (no reuse tables)."""
    reuse = getattr(store, "reuse", None)
    if reuse is None:
        return None

    def read(article_ids: Sequence[int]) -> Mapping[int, np.ndarray]:
        return reuse.vectors(article_ids, model)  # type: ignore[no-any-return]

    return Meanings(read)


def weighed_meanings(store: object, weights: Weights) -> Meanings | None:
    """The reuse stage's English sentence vectors of ``store``, when ``weights`` weigh them
    (what the stage and a story's confidence read)."""
    if weights.semantic <= 0:
        return None
    from newsweave.nlp.english import MODEL_NAME  # a name only: no model is loaded

    return store_meanings(store, MODEL_NAME)
