"""A user's merges and splits of stories, and how sure the engine is of each story.

A user who reads two stories of one event merges them; one who finds two events in
one story splits some articles off. Each decision is logged with its time
(``user-merge`` / ``user-split`` in the story log) and becomes a constraint every
later re-clustering obeys (automatic repair and ``restory`` alike): the articles a
user put together stay together, the ones a user split apart stay apart. A later
decision about the same two articles overrides an earlier one.

A story's *confidence* says how clearly it stands apart: the mean similarity of
its articles to each other (*cohesion*) against its mean similarity to the nearest
other story. A story that fits its neighbour about as well as itself is doubtful.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from newsweave.errors import NotFoundError
from newsweave.store import Store
from newsweave.store.stories import StoryRow, StoryTables
from newsweave.stories.assign import (
    CANDIDATES,
    STORY_KEYS,
    StoryState,
    VectorCache,
    article_vectors,
    rebuild,
)
from newsweave.stories.meaning import Meanings
from newsweave.stories.vectors import Weights, semantic_factor

MUST = 1.0  # similarity of two articles a user put in one story
CANNOT = -1e9  # similarity of two articles a user split apart: no average can reach a cut
MERGE, SPLIT = "user-merge", "user-split"


class Decisions:
    """The user's constraints on article pairs, read once from the story log."""

    def __init__(self, pairs: Mapping[tuple[int, int], float]) -> None:
        self._partners: dict[int, dict[int, float]] = {}
        for (a, b), value in pairs.items():
            self._partners.setdefault(a, {})[b] = value
            self._partners.setdefault(b, {})[a] = value

    @classmethod
    def load(cls, tables: StoryTables) -> Decisions:
        pairs: dict[tuple[int, int], float] = {}
        for entry in tables.user_decisions():
            articles = entry["articles"]
            if entry["action"] == MERGE:
                _set(pairs, itertools.combinations(articles, 2), MUST)
            elif entry["action"] == SPLIT:
                moved, kept = articles["moved"], articles["kept"]
                _set(pairs, itertools.combinations(moved, 2), MUST)
                _set(pairs, itertools.product(moved, kept), CANNOT)
        return cls(pairs)

    def __bool__(self) -> bool:
        return bool(self._partners)

    def among(self, article_ids: Iterable[int]) -> dict[tuple[int, int], float]:
        """The constraints between articles of ``article_ids``."""
        ids = set(article_ids)
        return {(a, b): value for a in sorted(ids & self._partners.keys())
                for b, value in self._partners[a].items() if b in ids and a < b}


def _set(pairs: dict[tuple[int, int], float], found: Iterable[tuple[int, int]],
         value: float) -> None:
    for a, b in found:
        if a != b:
            pairs[(min(a, b), max(a, b))] = value


def merge_stories(store: Store, weights: Weights, story_id: int, other_id: int) -> int:
    """Merge story ``other_id`` into ``story_id`` as a user's decision; the survivor's id.

    Both ids may be old ids (they resolve to their survivors). Raises
    :class:`NotFoundError` for an unknown id and ``ValueError`` for one story twice.
    """
    tables = store.stories
    with store.transaction():
        keep, gone = _live(tables, story_id), _live(tables, other_id)
        if keep == gone:
            raise ValueError(f"stories {story_id} and {other_id} are already one story")
        members = tables.members([keep, gone])
        articles = sorted(members.get(keep, []) + members.get(gone, []))
        tables.set_members(keep, articles)
        tables.merge_story(gone, keep)
        _rebuild(tables, keep, articles, weights)
        tables.log(MERGE, keep, gone, articles)
    return keep


def split_story(store: Store, weights: Weights, story_id: int,
                article_ids: Sequence[int]) -> int:
    """Move ``article_ids`` out of story ``story_id`` into a new story (a user's
    decision); the new story's id. Raises ``ValueError`` unless the articles are some,
    not all, of the story's."""
    tables = store.stories
    with store.transaction():
        live = _live(tables, story_id)
        members = tables.members([live]).get(live, [])
        moved = sorted(set(article_ids))
        stray = sorted(set(moved) - set(members))
        if not moved or stray:
            raise ValueError(f"articles {stray or 'none'} are not in story {live}")
        kept = sorted(set(members) - set(moved))
        if not kept:
            raise ValueError(f"splitting every article off story {live} leaves nothing")
        new = tables.new_story(StoryRow(0, 0, "", b"", b"", b"", None, None))
        tables.set_members(new, moved)
        _rebuild(tables, live, kept, weights)
        _rebuild(tables, new, moved, weights)
        tables.log(SPLIT, live, new, {"moved": moved, "kept": kept})  # type: ignore[arg-type]
    return new


def _live(tables: StoryTables, story_id: int) -> int:
    live = tables.resolve(story_id)
    if live is None:
        raise NotFoundError(f"no story with id {story_id}")
    return live


def _rebuild(tables: StoryTables, story_id: int, articles: Sequence[int],
             weights: Weights) -> None:
    cache = VectorCache()
    rebuild(tables, story_id, articles, article_vectors(tables, articles, weights, cache), cache)


@dataclass(frozen=True, slots=True)
class Confidence:
    """How clearly a story stands apart from its nearest neighbour story."""

    confidence: float  # 0 (fits its neighbour as well as itself) .. 1 (no neighbour)
    cohesion: float  # mean similarity of its articles to each other (1 for one article)
    nearest_story: int | None
    nearest_similarity: float  # mean similarity of its articles to that story's


def confidences(tables: StoryTables, story_ids: Sequence[int], weights: Weights,
                meanings: Meanings | None = None) -> dict[int, Confidence]:
    """:class:`Confidence` of each live story of ``story_ids`` (from the stories' summed
    vectors and the key index: a few dot products per story, whatever the store's size).

    With ``meanings`` (and ``weights.semantic``), cohesion and the nearest neighbour are
    scored as the stage decides (:func:`newsweave.stories.repair._story_similarity`,
    ``_cohesive``): scaled by the members' sentence-vector agreement where they have
    vectors; a story whose articles have none gets the words' own figures."""
    from newsweave.stories.repair import _story_similarity, _with_meanings

    rows = tables.stories_by_id(story_ids)
    loaded: dict[int, StoryState] = {s: StoryState(r) for s, r in rows.items()
                                     if r.merged_into is None and r.size > 0}
    neighbours: dict[int, list[int]] = {}
    for story_id in story_ids:
        state = loaded.get(story_id)
        if state is not None and story_id not in neighbours:
            neighbours[story_id] = [s for s in tables.candidates(state.top(STORY_KEYS),
                                                                  CANDIDATES) if s != story_id]
    missing = sorted({s for others in neighbours.values() for s in others} - loaded.keys())
    for s, row in tables.stories_by_id(missing).items():
        if row.merged_into is None and row.size > 0:
            loaded[s] = StoryState(row)
    words = {story_id: {s: _story_similarity(loaded[story_id], loaded[s], weights)[0]
                        for s in others if s in loaded}
             for story_id, others in neighbours.items()}
    if meanings is not None and weights.semantic > 0:
        words = _close(words, weights)
        _with_meanings(tables, meanings, weights,
                       [loaded[s] for s in {*words, *(o for w in words.values() for o in w)}])
    found: dict[int, Confidence] = {}
    for story_id, scores in words.items():
        state = loaded[story_id]
        best, nearest = 0.0, None
        for s in sorted(scores):
            score = scores[s]
            if meanings is not None and weights.semantic > 0:
                score, _agree = _story_similarity(state, loaded[s], weights)
            if score > best:
                best, nearest = score, s
        cohesion = state.cohesion(weights)
        level = 1.0 if cohesion <= 0 else max(0.0, min(1.0, (cohesion - best) / cohesion))
        found[story_id] = Confidence(round(level, 3), round(cohesion, 3), nearest,
                                     round(best, 3))
    return found


def _close(words: Mapping[int, Mapping[int, float]], weights: Weights
           ) -> dict[int, dict[int, float]]:
    """Each story's neighbours that the sentence vectors could make its nearest: a word
    score scaled by the largest factor that reaches the best word score scaled by the
    smallest (the others cannot win, so their vectors are never read)."""
    low, high = float(semantic_factor(-1.0, weights)), float(semantic_factor(1.0, weights))
    found: dict[int, dict[int, float]] = {}
    for story_id, scores in words.items():
        floor = max(scores.values(), default=0.0) * low
        found[story_id] = {s: v for s, v in scores.items() if v > 0 and v * high >= floor}
    return found
