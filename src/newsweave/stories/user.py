"""A user's merges and splits of stories, and how sure the engine is of each story.

A user who reads two stories of one event merges them; one who finds two events in
one story splits some articles off. Each decision is logged with its time
(``user-merge`` / ``user-split`` in the story log) and becomes a constraint every
later re-clustering obeys (automatic repair and ``restory`` alike): the articles a
user put together stay together, the ones a user split apart stay apart. A later
decision about the same two articles overrides an earlier one.

A story's *confidence* says how clearly it stands apart: its mean similarity to the
neighbour story closest to joining it, against the bar at which that neighbour would
belong with it (:func:`join_bar`: the story's own cohesion, or for a story of one article,
which has none, the stage's own join thresholds). A story that fits its neighbour about as
well as the bar is doubtful: two pieces of one split event, or a report stranded outside
its event, read as doubtful from either side.
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
from newsweave.stories.vectors import SMALL_STORY, Weights, semantic_factor

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
    """How clearly a story stands apart from the neighbour story closest to joining it."""

    confidence: float  # 0 (that neighbour reaches the bar of joining it) .. 1 (no neighbour)
    cohesion: float  # mean similarity of its articles to each other (1 for one article)
    nearest_story: int | None  # the neighbour closest to joining it (relative to its bar)
    nearest_similarity: float  # mean similarity of its articles to that story's


def confidences(tables: StoryTables, story_ids: Sequence[int], weights: Weights,
                meanings: Meanings | None = None, threshold: float | None = None
                ) -> dict[int, Confidence]:
    """:class:`Confidence` of each live story of ``story_ids`` (from the stories' summed
    vectors and the key index: a few dot products per story, whatever the store's size).

    A story is as doubtful as its closest neighbour is close to the *bar* at which that
    neighbour would belong with it: ``confidence = 1 - max(similarity / bar)`` over the
    neighbours, clipped to 0..1 (:func:`join_bar`). The bar is the story's own cohesion
    for a story of two or more articles (a neighbour as close as its own members), the
    stage's join ``threshold`` (``story_threshold``; the settings' default when None) for
    a story of one article, which has no cohesion to measure; and ``weights.attach`` where
    the stage's attach rule would join the two, when that is lower (names agreeing: a story
    of one article beside one of more than :data:`SMALL_STORY`, or such a story beside a
    story of at most :data:`SMALL_STORY`).

    With ``meanings`` (and ``weights.semantic``), similarities and cohesion are scored as
    the stage decides (:func:`newsweave.stories.repair._story_similarity`, ``_cohesive``):
    scaled by the members' sentence-vector agreement where they have vectors; a story whose
    articles have none gets the words' own figures."""
    from newsweave.stories.repair import _story_similarity, _with_meanings

    if threshold is None:
        threshold = _default_threshold()
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
    scored: dict[int, dict[int, tuple[float, bool]]] = {
        story_id: {s: _story_similarity(loaded[story_id], loaded[s], weights)
                   for s in others if s in loaded}
        for story_id, others in neighbours.items()}
    cohesion = {story_id: loaded[story_id].cohesion(weights) for story_id in scored}
    meant = meanings is not None and weights.semantic > 0
    if meant:
        scored = _close(scored, loaded, cohesion, threshold, weights)
        _with_meanings(tables, meanings, weights,
                       [loaded[s] for s in {*scored, *(o for w in scored.values() for o in w)}])
        cohesion = {story_id: loaded[story_id].cohesion(weights) for story_id in scored}
    found: dict[int, Confidence] = {}
    for story_id, scores in scored.items():
        state = loaded[story_id]
        worst, best, nearest = 0.0, 0.0, None
        for s in sorted(scores):
            score, agree = scores[s]
            if meant:
                score, agree = _story_similarity(state, loaded[s], weights)
            if score <= 0:
                continue
            bar = join_bar(state.row.size, loaded[s].row.size, agree, cohesion[story_id],
                           threshold, weights)
            ratio = score / bar if bar > 0 else float("inf")
            if ratio > worst:
                worst, best, nearest = ratio, score, s
        level = max(0.0, min(1.0, 1.0 - worst))
        found[story_id] = Confidence(round(level, 3), round(cohesion[story_id], 3), nearest,
                                     round(best, 3))
    return found


def join_bar(size: int, other_size: int, agree: bool, cohesion: float, threshold: float,
             weights: Weights) -> float:
    """The similarity at which a neighbour story of ``other_size`` articles would belong
    with a story of ``size`` articles and ``cohesion``: the lowest that applies of its
    cohesion (two or more articles: the neighbour fits as well as its own members), the
    stage's join ``threshold`` (one article: no cohesion to measure) and the attach bar
    ``weights.attach`` (the stage joins a story of at most :data:`SMALL_STORY` articles to a
    larger one from there when their names agree; read for a story of one article and for
    a larger story's small neighbours, which are what the rule catches: a report stranded
    outside its event; a story of 2-4 articles weighs its own cohesion instead).

    >>> w = Weights(attach=0.14)
    >>> join_bar(1, 1, True, 1.0, 0.22, w), join_bar(1, 8, True, 1.0, 0.22, w)
    (0.22, 0.14)
    >>> join_bar(3, 8, True, 0.4, 0.22, w), join_bar(8, 1, True, 0.4, 0.22, w)
    (0.4, 0.14)
    """
    bar = max(cohesion, 1e-9) if size >= 2 else threshold  # none: any neighbour is a doubt
    if weights.attach > 0 and agree and (
            other_size > SMALL_STORY if size == 1 else size > SMALL_STORY >= other_size):
        bar = min(bar, weights.attach)
    return bar


def _default_threshold() -> float:
    from newsweave.settings import SETTINGS

    return float(next(s.default for s in SETTINGS if s.name == "story_threshold"))


def _close(scored: Mapping[int, Mapping[int, tuple[float, bool]]],
           loaded: Mapping[int, StoryState], cohesion: Mapping[int, float], threshold: float,
           weights: Weights) -> dict[int, dict[int, tuple[float, bool]]]:
    """Each story's neighbours that the sentence vectors could make its closest to joining:
    a word score scaled by the largest factor, over the lowest bar the vectors could give
    it, that reaches the best word score scaled by the smallest factor over the highest bar
    (the vectors scale a cohesion by the same factors); the others cannot win, so their
    vectors are never read."""
    low, high = float(semantic_factor(-1.0, weights)), float(semantic_factor(1.0, weights))
    found: dict[int, dict[int, tuple[float, bool]]] = {}
    for story_id, scores in scored.items():
        size, own = loaded[story_id].row.size, cohesion[story_id]
        bars = {s: (join_bar(size, loaded[s].row.size, agree, own * low, threshold, weights),
                    join_bar(size, loaded[s].row.size, agree, own * high, threshold, weights))
                for s, (v, agree) in scores.items() if v > 0}
        floor = max((scores[s][0] * low / hi for s, (_lo, hi) in bars.items()), default=0.0)
        found[story_id] = {s: scores[s] for s, (lo, _hi) in bars.items()
                           if scores[s][0] * high / lo >= floor}
    return found
