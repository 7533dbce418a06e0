"""Online assignment: each new article joins its best story or starts one.

Candidates come from the inverted index of story keys (the rare terms and
names a story is made of), so the cost of one assignment does not grow with
the number of stories. The score of an article against a story is the mean
similarity to the story's articles (``article · sum_of_member_vectors / size``:
average linkage, the same criterion repair uses), damped by the vetoes of
:func:`newsweave.stories.vectors.veto_factor`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from newsweave.clean.rules import DATE_LINE
from newsweave.store.stories import StoryRow, StoryTables
from newsweave.stories import vectors as stories_vectors

# What assignment reads (the weights, the articles' rows and vectors) and the story state it
# scores against live in their own modules; their names are re-exported here, where the
# stage, the benches and the tests import them from.
from newsweave.stories.articles import (
    VectorCache,
    article_vectors,
    feature_row,
    feature_rows,
    publication_day,
    vectors_of,
    weights_from,
)
from newsweave.stories.meaning import Meanings
from newsweave.stories.story_state import StoryState
from newsweave.stories.titles import choose_title, top_entities
from newsweave.stories.vectors import (
    Arrays,
    ArticleVector,
    Weights,
    add_arrays,
    link_floor,
    pack_arrays,
    pack_dates,
    semantic_factor,
    top_array_keys,
    top_of,
)

QUERY_KEYS = 24  # an article's heaviest keys used to look up candidate stories
STORY_KEYS = 48  # a story's heaviest keys kept in the inverted index
CANDIDATES = 20  # candidate stories scored per article
MARGIN = 0.05  # a decision this close is re-examined by a full repair of its neighbourhood
CENTROID_KEYS = 3000  # a story's summed vector keeps its heaviest keys only (memory)


def choose_story(scored: Sequence[tuple[float, bool, int, int]], threshold: float) -> int | None:
    """The story an article joins, from its candidates' ``(score, names agree, size, id)``
    best first: the best, if it reaches ``threshold``.

    A lone article is not attached to a larger story below the threshold here,
    though :func:`newsweave.stories.linkage.attach_small` does so: online, its own
    event may simply not have arrived yet (measured on ECB+: attaching online cost
    precision), so the close call goes to repair, which sees the neighbourhood.
    """
    if scored and scored[0][0] >= threshold:
        return scored[0][3]
    return None


@dataclass(slots=True)
class Assignment:
    """What :func:`assign` did: stories to repair, and stories whose size crossed a
    power of two (their title and entities are worth re-choosing)."""

    close: set[int]
    grown: set[int]
    # For each story in ``close``, the stories that came close to it in a decision.
    hints: dict[int, set[int]] = field(default_factory=dict)
    # Of ``close``, those where a decision was within MARGIN (the runner-up nearly
    # as good, or the best barely on one side of the threshold): always repaired.
    uncertain: set[int] = field(default_factory=set)


def assign(
    tables: StoryTables,
    items: Sequence[ArticleVector],
    weights: Weights,
    threshold: float,
    linked: Mapping[int, Mapping[int, float]] | None = None,
    meanings: Meanings | None = None,
) -> Assignment:
    """Put each article (in the given order) into its best story or a new one.

    ``linked`` maps an article to the articles the reuse stage relates it to,
    with a weight: a story holding a linked article scores at least that
    weight (1 for a copy, so a copy joins its source's story whatever the
    words say). The cost per article is that of its candidates (from the key
    index), whatever the store's size; stories are written once per batch.
    With ``meanings`` (and ``weights.semantic``), an article with a sentence vector has
    its score to each story that comes within reach scaled by its mean agreement with
    the story's members (:meth:`StoryState.meaning_factor`).
    """
    touched: dict[int, StoryState] = {}
    batch_keys: dict[int, set[int]] = {}  # key index of stories changed in this batch
    changed: set[int] = set()
    uncertain: set[int] = set()
    hints: dict[int, set[int]] = {}
    joined: list[tuple[int, int]] = []  # (article, story), written at once before the saves
    story_of = tables.story_of(a for item in items for a in (linked or {}).get(item.id, ()))
    # The stored candidates of every article first, and their rows in one read: the index
    # and the stored rows do not change until the stories are saved at the end.
    queries = [top_array_keys(item.arrays(), QUERY_KEYS) for item in items]
    found = tables.candidates_of(queries, CANDIDATES)
    for story_id, row in tables.stories_by_id({s for f in found for s in f}).items():
        if row.merged_into is None and row.size > 0:
            touched[story_id] = StoryState(row)
    for item, query, stored in zip(items, queries, found, strict=True):
        candidates = set(stored)
        candidates.update(s for k in query for s in batch_keys.get(k, ()))
        floor: dict[int, float] = {}
        for other, weight in (linked or {}).get(item.id, {}).items():
            if other in story_of:
                story = story_of[other]
                floor[story] = max(floor.get(story, 0.0), weight)
        candidates |= set(floor)
        missing = [s for s in candidates if s not in touched]
        for story_id, row in tables.stories_by_id(missing).items():
            if row.merged_into is None and row.size > 0:
                touched[story_id] = StoryState(row)
        parts = {s: touched[s].score_parts(item, weights) for s in candidates
                 if s in touched and touched[s].row.size > 0}
        if meanings is not None and weights.semantic > 0 and item.meaning is not None:
            _scale_by_meaning(tables, meanings, touched, parts, item, weights, threshold)
        scored = []
        for s, (score, agree, factor) in parts.items():
            scored.append((max(link_floor(floor.get(s, 0.0), factor), score),
                           agree or s in floor, touched[s].row.size, s))
        scored.sort(key=lambda t: (-t[0], t[3]))
        chosen = choose_story(scored, threshold)
        if chosen is not None:
            state = touched[chosen]
            state.add(item)
        else:
            row = StoryRow(0, 0, "", b"", b"", b"", item.day, item.day)
            row.id = tables.new_story(row)
            state = StoryState(row)
            state.set_meaning(None, 0)  # no stored member: its vectors are those added
            state.add(item)
            touched[row.id] = state
        joined.append((item.id, state.row.id))
        story_of[item.id] = state.row.id
        for k in query:
            batch_keys.setdefault(k, set()).add(state.row.id)
        # Repair is needed only where the choice was close: a second story within reach
        # (the two may belong together) or a new story beside a near miss.
        reach = min(threshold / 2, weights.attach) if weights.attach > 0 else threshold / 2
        others = [t for t in scored if t[3] != state.row.id]
        if others and others[0][0] >= reach:
            near = [t[3] for t in others[:3] if t[0] >= reach]
            group = {state.row.id, *near}
            changed |= group
            best = scored[0][0]
            if best - others[0][0] < MARGIN or abs(best - threshold) < MARGIN:
                uncertain |= group
            for story in group:
                hints.setdefault(story, set()).update(group - {story})
        elif scored and abs(scored[0][0] - threshold) < MARGIN:
            # A join this close to the threshold with no runner-up in reach is a close
            # call too (a new story beside a near miss has one: the branch above): repair
            # checks that the story still holds together. In a store past the whole
            # re-clusterings, a same-kind event's report joined this way merged two
            # events (docs/benchmarks.md, #12 part 3).
            changed.add(state.row.id)
            uncertain.add(state.row.id)
            hints.setdefault(state.row.id, set())
    tables.set_memberships(joined)  # nothing above reads the memberships of this batch
    grown: set[int] = set()
    saved: list[tuple[StoryRow, list[int]]] = []
    for state in touched.values():
        if state.row.size != state.size_before:
            saved.append(_saved(tables, state))
            if state.size_before <= 0 or (
                state.row.size.bit_length() != state.size_before.bit_length()
            ):
                grown.add(state.row.id)
    tables.update_stories(saved)
    return Assignment(changed, grown, hints, uncertain)


def _scale_by_meaning(
    tables: StoryTables,
    meanings: Meanings,
    states: Mapping[int, StoryState],
    parts: dict[int, tuple[float, bool, float]],
    item: ArticleVector,
    weights: Weights,
    threshold: float,
) -> None:
    """Scale the word scores ``parts`` of ``item`` by its agreement with each story
    (:meth:`StoryState.meaning_factor`), for the stories whose scaled score could reach a
    decision: a score that even the largest factor keeps below the reach of a close call
    decides nothing, so those stories' members are never read."""
    reach = min(threshold / 2, weights.attach) if weights.attach > 0 else threshold / 2
    largest = float(semantic_factor(1.0, weights))
    near = [s for s, (score, _, _) in parts.items() if score * largest >= reach]
    unread = [s for s in near if not states[s].meaning_known]
    if unread:
        for story_id, (total, count) in meanings.sums(tables, unread).items():
            states[story_id].set_meaning(total, count)
    for s in near:
        score, agree, factor = parts[s]
        parts[s] = (score * states[s].meaning_factor(item, weights), agree, factor)


def _saved(tables: StoryTables, state: StoryState) -> tuple[StoryRow, list[int]]:
    """A story's row as assignment leaves it, with its index keys, to save."""
    row = state.row
    centroid = top_of(state.arrays(), CENTROID_KEYS)  # the heaviest keys only (memory)
    row.centroid = pack_arrays(centroid)
    row.names = pack_arrays(state.name_arrays())
    row.dates = pack_dates(state.dates, state.figures, state.places, state.lead_years,
                           state.weekdays, stories_vectors.BARE_PAIR_FACTOR != 1.0 and state.bare)
    if not row.title:
        titles = tables.features(tables.members([row.id]).get(row.id, [])[:1])
        row.title = next((r.title for r in titles.values()), "")
    return row, top_array_keys(centroid, STORY_KEYS)


def rebuild(
    tables: StoryTables,
    story_id: int,
    members: Sequence[int],
    vectors: Mapping[int, ArticleVector],
    cache: VectorCache | None = None,
) -> None:
    """Recompute a story's state, title and entities from its members (after repair)."""
    tables.update_stories([rebuilt(tables, story_id, members, vectors, cache)])


def rebuilt(
    tables: StoryTables,
    story_id: int,
    members: Sequence[int],
    vectors: Mapping[int, ArticleVector],
    cache: VectorCache | None = None,
) -> tuple[StoryRow, list[int]]:
    """:func:`rebuild`'s row and index keys, to save."""
    present = [a for a in members if a in vectors]
    centroid = add_arrays([vectors[a].arrays() for a in present])
    names = add_arrays([vectors[a].name_arrays() for a in present])
    dates: set[int] = set()
    figures: set[int] = set()
    places: set[int] = set()
    lead_years: set[int] = set()
    weekdays: set[int] = set()
    for a in present:
        dates |= vectors[a].dates
        figures |= vectors[a].figures
        places |= vectors[a].places
        lead_years |= vectors[a].lead_years
        weekdays |= vectors[a].weekdays
    days = [vectors[a].day for a in present if vectors[a].day is not None]
    rows = feature_rows(tables, members, cache)
    titled = [a for a in present if a in rows]
    title = choose_title([(rows[a].title, centrality) for a, centrality
                          in zip(titled, _centrality(centroid, [vectors[a] for a in titled]),
                                 strict=True)])
    entities = top_entities([(rows[a].labels, vectors[a].names) for a in titled])
    pruned = top_of(centroid, CENTROID_KEYS)
    row = StoryRow(
        story_id, len(members), title, pack_arrays(pruned), pack_arrays(names),
        pack_dates(dates, figures, places, lead_years, weekdays,
                   stories_vectors.BARE_PAIR_FACTOR != 1.0
                   and all(vectors[a].bare for a in present)),
        min(days, default=None),
        max(days, default=None), entities,
    )
    return row, top_array_keys(pruned, STORY_KEYS)


def _centrality(centroid: Arrays, items: Sequence[ArticleVector]) -> list[float]:
    """Each item's dot product with the summed vector (which holds every key they hold)."""
    if not items:
        return []
    keys = [item.arrays()[0] for item in items]
    lengths = np.fromiter((len(k) for k in keys), dtype=np.int64, count=len(items))
    if not lengths.sum():
        return [0.0] * len(items)
    at = np.searchsorted(centroid[0], np.concatenate(keys))
    values = np.concatenate([item.arrays()[1] for item in items]) * centroid[1][at]
    owner = np.repeat(np.arange(len(items)), lengths)
    return np.bincount(owner, weights=values, minlength=len(items)).tolist()  # type: ignore[no-any-return]


REFRESH_MAX = 100  # larger stories keep their title until a repair rebuilds them


def refresh(
    tables: StoryTables,
    story_ids: Iterable[int],
    weights: Weights,
    cache: VectorCache | None = None,
) -> None:
    """Re-choose title and entities of ``story_ids`` (up to :data:`REFRESH_MAX` articles);
    ``cache``: vectors already weighed in this run (see :func:`article_vectors`)."""
    members = tables.members(story_ids)
    # Saved together: a rebuild reads no story row or index key, only articles' features.
    tables.update_stories([
        rebuilt(tables, story_id, articles, article_vectors(tables, articles, weights, cache),
                cache)
        for story_id, articles in sorted(members.items()) if len(articles) <= REFRESH_MAX])


__all__ = [
    "CANDIDATES", "CENTROID_KEYS", "DATE_LINE", "MARGIN", "QUERY_KEYS", "REFRESH_MAX",
    "STORY_KEYS", "Assignment", "StoryState", "VectorCache", "article_vectors", "assign",
    "choose_story", "feature_row", "feature_rows", "publication_day", "rebuild", "rebuilt",
    "refresh", "vectors_of", "weights_from",
]
