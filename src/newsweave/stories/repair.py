"""Repair: re-cluster a neighbourhood of stories and keep their ids stable.

Online assignment sees articles one at a time, so an early article can open a
story that later arrivals show to be part of another, and a story can absorb
an article that fits the next one better. Repair takes a few related stories,
re-clusters their articles with average linkage (:mod:`newsweave.stories.linkage`,
which does not depend on the order the articles arrived in) and maps the new
clusters back onto the old ids: a cluster keeps the id of the old story it holds
most of (the larger, then the older, story wins), a story whose articles all went
elsewhere is *merged into* the survivor, and a part that leaves a story gets a new
id (a *split*).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from newsweave.store.stories import StoryRow, StoryTables
from newsweave.stories import linkage
from newsweave.stories import vectors as stories_vectors
from newsweave.stories.assign import (
    CANDIDATES,
    STORY_KEYS,
    StoryState,
    VectorCache,
    article_vectors,
    rebuild,
)
from newsweave.stories.linkage import cluster_rows, story_weekdays
from newsweave.stories.meaning import Meanings
from newsweave.stories.vectors import (
    SMALL_STORY,
    Weights,
    dot_arrays,
    names_can_disagree,
    pair_matrices,
    semantic_factor,
    veto_factor,
)


def map_clusters(
    clusters: Sequence[Sequence[int]],
    story_of: Mapping[int, int],
    story_size: Mapping[int, int],
) -> tuple[list[int | None], dict[int, int], dict[int, list[int]]]:
    """Which old story id each cluster keeps (None: it needs a new id), plus merges and splits.

    ``story_of`` maps each article to its story before repair (articles new
    to any story are absent), ``story_size`` the stories' sizes. Returns
    ``(ids, merged, split)``: ``ids[c]`` is cluster c's story id or None,
    ``merged[old] = c`` for a story that survives in no cluster (its articles
    mostly went to c), ``split[old] = [c, ...]`` for clusters that carried
    articles away from a surviving story.

    >>> map_clusters([[1, 2, 3], [4]], {1: 10, 2: 10, 3: 11, 4: 10}, {10: 3, 11: 1})
    ([10, None], {11: 0}, {10: [1]})
    """
    # Larger clusters choose first; each takes the old story it holds most of,
    # preferring the larger, then older (smaller id) story.
    order = sorted(range(len(clusters)), key=lambda c: (-len(clusters[c]), min(clusters[c])))
    ids: list[int | None] = [None] * len(clusters)
    taken: set[int] = set()
    for c in order:
        counts = Counter(story_of[a] for a in clusters[c] if a in story_of)
        ranked = sorted(counts, key=lambda s: (-counts[s], -story_size.get(s, 0), s))
        for story in ranked:
            if story not in taken:
                ids[c] = story
                taken.add(story)
                break
    merged: dict[int, int] = {}
    split: dict[int, list[int]] = {}
    for story in sorted(set(story_of.values())):
        holders = Counter(
            c for c, members in enumerate(clusters) for a in members if story_of.get(a) == story
        )
        if story not in taken:
            merged[story] = max(holders, key=lambda c: (holders[c], -c))
        else:
            away = sorted(c for c in holders if ids[c] != story and ids[c] is None)
            if away:
                split[story] = away
    return ids, merged, split


@dataclass(slots=True)
class RepairReport:
    """What a repair pass changed."""

    merged: list[tuple[int, int]] = field(default_factory=list)  # (old id, survivor)
    split: list[tuple[int, int]] = field(default_factory=list)  # (story, new id split off)
    moved: int = 0  # articles that changed story
    stories: int = 0  # stories looked at
    # Articles whose story changed, or now shares its story with new company (a merge):
    # what the extract stage must re-resolve canonical names for.
    changed_articles: set[int] = field(default_factory=set)

    def to_dict(self) -> dict[str, object]:
        return {
            "merged": [{"story": a, "into": b} for a, b in self.merged],
            "split": [{"story": a, "new": b} for a, b in self.split],
            "moved_articles": self.moved,
            "stories_checked": self.stories,
        }


LinksFn = Callable[[Sequence[int]], dict[tuple[int, int], float]]


def repair_neighbourhoods(
    tables: StoryTables,
    touched: Iterable[int],
    weights: Weights,
    threshold: float,
    max_articles: int,
    links: LinksFn | None = None,
    report: RepairReport | None = None,
    hints: Mapping[int, Iterable[int]] | None = None,
    eager: Iterable[int] = (),
    cache: VectorCache | None = None,
) -> RepairReport:
    """Re-cluster the neighbourhoods of ``touched`` stories; merge and split as needed.

    A neighbourhood is a touched story plus the live stories whose mean
    similarity to it reaches half the threshold (candidates from the key
    index). Overlapping neighbourhoods are repaired together, up to
    ``max_articles`` articles at a time, the touched stories first. With
    ``hints`` (story -> the stories that came close to it: automatic repair), a
    neighbourhood is a touched story and its hinted stories only, repaired if the
    story-level numbers promise a change (see :func:`_neighbourhood`) or if the
    story is among the ``eager`` ones (an assignment decided by a hair).
    ``cache``: vectors weighed in this run (see :func:`article_vectors`).
    """
    report = report or RepairReport()
    cache = cache if cache is not None else VectorCache()
    eager = set(eager)
    pending = sorted(set(touched))
    done: set[int] = set()
    while pending:
        seed = pending.pop(0)
        if seed in done:
            continue
        hinted = None if hints is None else hints.get(seed, ())
        group = _neighbourhood(tables, seed, weights, threshold, max_articles, done, hinted,
                               check=seed not in eager, meanings=cache.meanings)
        if not group:
            continue
        done |= set(group)
        pending = [s for s in pending if s not in done]
        _repair_group(tables, group, weights, threshold, links, report, cache)
    return report


def repair_all(
    tables: StoryTables,
    story_ids: Sequence[int],
    weights: Weights,
    threshold: float,
    links: LinksFn | None = None,
    cache: VectorCache | None = None,
) -> RepairReport:
    """Re-cluster ``story_ids`` as one group (a small store's restory)."""
    report = RepairReport()
    if story_ids:
        _repair_group(tables, sorted(story_ids), weights, threshold, links, report,
                      cache if cache is not None else VectorCache())
    return report


def _neighbourhood(
    tables: StoryTables,
    seed: int,
    weights: Weights,
    threshold: float,
    max_articles: int,
    done: set[int],
    hints: Iterable[int] | None = None,
    check: bool = True,
    meanings: Meanings | None = None,
) -> list[int]:
    """The stories to re-cluster with ``seed``; [] when there is nothing to do.

    Without ``hints`` (restory): ``seed`` and the stories similar to it, found
    through the key index, two hops deep. With ``hints`` (automatic repair: the
    stories that came close to ``seed`` in an assignment): ``seed`` and those
    only, and, if ``check``, only when the story-level numbers say that the
    re-clustering may change something: ``seed`` has drifted (the mean
    similarity of its articles is below the threshold: average linkage would
    split it) or a hinted story that the group holds (the seed and the hinted stories
    that fit in ``max_articles``) qualifies for a merge with it (the mean
    similarity of their articles, which average linkage merges on, reaches the
    threshold, or the ``attach`` rule for a small story applies). Both come
    from the stories' summed vectors, so a quiet close call costs a few dot
    products and a busy one the few stories involved; where two stories' members lie
    further apart than the date window, their members' days are read too, and the
    merge is judged with the date veto of the members' pairs (:func:`_near_share`,
    :func:`_story_similarity`; docs/benchmarks.md, "Archive scale, part 28"). With
    ``meanings``, the stories' similarities are scaled by their sentence vectors'
    agreement as the articles' are (:func:`_with_meanings`).
    """
    rows = tables.stories_by_id([seed, *(hints or ())])
    if seed not in rows or rows[seed].merged_into is not None or rows[seed].size <= 0:
        return []
    if hints is not None:
        live = {s: r for s, r in rows.items() if s != seed and s not in done
                and r.merged_into is None and r.size > 0}
        state = StoryState.load(rows[seed])
        others = {s: StoryState.load(live[s]) for s in sorted(live)}
        if check:
            _with_meanings(tables, meanings, weights, [state, *others.values()])
        group, total = [seed], rows[seed].size
        for other_id in sorted(live, key=lambda s: (-live[s].size, s)):
            if total + live[other_id].size <= max_articles:
                group.append(other_id)
                total += live[other_id].size
        needed = not check or not _cohesive(state, threshold, weights)
        # Only a story the re-clustering will hold can merge with the seed in it: a story
        # too large to join the group is no reason to re-cluster the seed alone (its own
        # cohesion is the check for that).
        days: dict[int, list[int | None]] | None = None
        for other_id in sorted(group):
            if needed:
                break
            if other_id == seed:
                continue
            other_state = others[other_id]
            score, agree = _story_similarity(state, other_state, weights)
            needed = _mergeable(state, other_state, score, agree, threshold, weights)
            if needed and _spread(state, other_state, weights.window_days):
                # The stories' spans overlap, or lie within the window of each other; their
                # members' pairs, which average linkage merges on, each carry their own
                # dates' veto: bound the members' mean by it (never above the score).
                days = tables.member_days(group) if days is None else days
                near = _near_share(days.get(seed, []), days.get(other_id, []),
                                   weights.window_days)
                score, agree = _story_similarity(state, other_state, weights, near)
                needed = _mergeable(state, other_state, score, agree, threshold, weights)
        if not needed:
            return []
        return sorted(group)
    group = {seed: rows[seed]}
    frontier = [seed]
    total = rows[seed].size
    # Two hops: a story's neighbours, and theirs, so a chain A~B~C is repaired at once.
    for _ in range(2):
        found: list[tuple[float, int, StoryRow]] = []
        for story_id in frontier:
            state = StoryState.load(group[story_id])
            keys = state.top(STORY_KEYS)
            ids = [s for s in tables.candidates(keys, CANDIDATES) if s not in group
                   and s not in done]
            live = {s: StoryState.load(r) for s, r in tables.stories_by_id(ids).items()
                    if r.merged_into is None and r.size > 0}
            _with_meanings(tables, meanings, weights, [state, *live.values()])
            for other_id, other_state in live.items():
                other = other_state.row
                score, _agree = _story_similarity(state, other_state, weights)
                if score >= _reach(threshold, weights):
                    found.append((score, other_id, other))
        frontier = []
        for _score, other_id, other in sorted(found, key=lambda f: (-f[0], f[1])):
            if other_id in group or total + other.size > max_articles:
                continue
            group[other_id] = other
            total += other.size
            frontier.append(other_id)
        if not frontier:
            break
    return sorted(group)


def _cohesive(state: StoryState, threshold: float, weights: Weights) -> bool:
    """Whether a story of three or more articles holds together: its mean pairwise
    similarity (:meth:`StoryState.cohesion`) reaches ``threshold``."""
    return state.row.size < 3 or state.cohesion(weights) >= threshold


def _with_meanings(tables: StoryTables, meanings: Meanings | None, weights: Weights,
                   states: Sequence[StoryState]) -> None:
    """Read the summed sentence vectors of ``states`` (when the settings weigh them)."""
    if meanings is None or weights.semantic <= 0:
        return
    unread = {s.row.id: s for s in states if not s.meaning_known}
    for story_id, (total, count) in meanings.sums(tables, list(unread)).items():
        unread[story_id].set_meaning(total, count)


def _mergeable(a: StoryState, b: StoryState, score: float, agree: bool, threshold: float,
               weights: Weights) -> bool:
    """Whether average linkage plus :func:`~newsweave.stories.linkage.attach_small` (and
    :func:`~newsweave.stories.linkage.join_lone`) could join stories ``a`` and ``b``."""
    if score >= threshold:
        return True
    small, large = sorted((a.row.size, b.row.size))
    # Read on the module, where the bench and the tests set it.
    lone = linkage.LONE_JOIN
    if lone is not None and agree and score >= lone and small == 1 < large:
        return True
    return (weights.attach > 0 and agree and score >= weights.attach
            and small <= SMALL_STORY < large)


def _spread(a: StoryState, b: StoryState, window: int) -> bool:
    """Whether two stories are dated and some of their members lie further apart than
    ``window`` days (their first and last days say so: else every pair is near)."""
    days = (a.row.first_day, a.row.last_day, b.row.first_day, b.row.last_day)
    if None in days:
        return False
    return (max(days[1], days[3]) - min(days[0], days[2])  # type: ignore[type-var,operator]
            > window)


def _near_share(days_a: Sequence[int | None], days_b: Sequence[int | None],
                window: int) -> float:
    """The share of the pairs of a member of each story that the pairs' date veto spares
    (:func:`pair_matrices`: both dated and more than ``window`` days apart is damped):
    the pairs at most ``window`` days apart, and those with an undated member.

    >>> _near_share([1, 100], [5, 200, None], 14)
    0.5
    """
    pairs = len(days_a) * len(days_b)
    if not pairs:
        return 1.0
    dated_a = np.array([d for d in days_a if d is not None], dtype=np.int64)
    dated_b = np.sort(np.array([d for d in days_b if d is not None], dtype=np.int64))
    near = int((np.searchsorted(dated_b, dated_a + window, side="right")
                - np.searchsorted(dated_b, dated_a - window, side="left")).sum())
    return (near + pairs - len(dated_a) * len(dated_b)) / pairs


def _apart(a: StoryState, b: StoryState) -> int:
    """The days between two dated stories' spans (0: they overlap)."""
    return max(0, max(a.row.first_day, b.row.first_day)  # type: ignore[type-var]
               - min(a.row.last_day, b.row.last_day))  # type: ignore[type-var]


def _reach(threshold: float, weights: Weights) -> float:
    """Stories this similar may belong together (a close call worth a repair)."""
    return min(threshold / 2, weights.attach) if weights.attach > 0 else threshold / 2


def _meanings_agree(a: StoryState, b: StoryState, weights: Weights) -> bool:
    """Whether two stories' members' sentence vectors agree beyond the neutral (their
    semantic factor above 1), for vectors.BARE_PAIR_MEANING."""
    sum_a, count_a = a.mean_meaning()
    sum_b, count_b = b.mean_meaning()
    if weights.semantic <= 0 or sum_a is None or sum_b is None:
        return False
    cosine = float(np.dot(sum_a, sum_b)) / (count_a * count_b)
    return float(semantic_factor(cosine, weights)) > 1.0


def _story_similarity(a: StoryState, b: StoryState, weights: Weights,
                      near: float | None = None) -> tuple[float, bool]:
    """Mean pairwise similarity of two stories' articles (vetoes on the stories' profiles),
    and whether their names agree.

    With ``near`` (two dated stories: :func:`_near_share` of their members' days), the
    publication dates' veto is that of the members' pairs, as :func:`pair_matrices` applies
    it, in place of the stories' spans': the pairs more than the window apart are damped by
    ``date_penalty``. The summed vectors give the pairs' summed cosine, not the share of it
    the spared pairs hold; each holds at most one, and they hold at most all of it, so the
    members' mean is at most ``mean * (penalty + (1 - penalty) * min(1, near / mean))``
    (``mean``: the stories' mean cosine), never more than the spans' veto gives (a bound,
    up to what the summed vectors drop)."""
    # The shared keys' products in key order, summed by np.dot (as intersect1d gave them).
    base = dot_arrays(a.arrays(), b.arrays()) / (a.row.size * b.row.size)
    lift = stories_vectors.BARE_PAIR_FACTOR  # read on the module, where the bench sets it
    if lift != 1.0 and a.bare and b.bare and (  # two stories of bare headlines
            not stories_vectors.BARE_PAIR_MEANING or _meanings_agree(a, b, weights)):
        base *= lift
    norm_a, norm_b = a.names_norm, b.names_norm
    names_cos = a.names_cosine(b.name_arrays(), norm_b)
    named = bool(norm_a and norm_b and names_can_disagree(a.name_count, b.name_count))
    agree = not named or names_cos >= weights.name_floor
    if base <= 0:
        return 0.0, agree
    apart = None
    if None not in (a.row.first_day, a.row.last_day, b.row.first_day, b.row.last_day):
        apart = 0 if near is not None else _apart(a, b)
    factor = veto_factor(names_cos, named, frozenset(a.dates), b.dates, apart, weights,
                         frozenset(a.figures), b.figures, frozenset(a.places), b.places,
                         frozenset(a.lead_years), b.lead_years,
                         *((frozenset(a.weekdays), b.weekdays)
                           if weights.weekday_scope == "all" else ()))
    sum_a, count_a = a.mean_meaning()
    sum_b, count_b = b.mean_meaning()
    if weights.semantic > 0 and sum_a is not None and sum_b is not None:
        # The mean agreement of the two stories' members that have a sentence vector.
        factor *= float(semantic_factor(float(np.dot(sum_a, sum_b)) / (count_a * count_b),
                                        weights))
    if near is not None and apart is not None and weights.date_penalty < 1.0:
        penalty = weights.date_penalty
        factor *= penalty + (1.0 - penalty) * min(1.0, near / base)
    return base * factor, agree


def _repair_group(
    tables: StoryTables,
    group: Sequence[int],
    weights: Weights,
    threshold: float,
    links: LinksFn | None,
    report: RepairReport,
    cache: VectorCache | None = None,
) -> None:
    everyone = tables.members(group)
    report.stories += len(group)
    if sum(len(m) for m in everyone.values()) < 2:
        return
    vectors = article_vectors(tables, [a for m in everyone.values() for a in m], weights, cache)
    # An article without stored features (written by other means than this stage) cannot
    # be compared: it stays in its story, and a story holding only such articles is left
    # as it is (it would otherwise be merged into no cluster at all).
    members = {s: [a for a in m if a in vectors] for s, m in everyone.items()}
    members = {s: m for s, m in members.items() if m}
    story_of = {a: s for s, articles in members.items() for a in articles}
    articles = sorted(story_of)
    if len(articles) < 2:
        return
    items = [vectors[a] for a in articles]
    sims, agree = pair_matrices(items, weights, links(articles) if links else None)
    rows = cluster_rows(sims, agree, threshold, weights.attach, SMALL_STORY,
                        story_weekdays(items, weights), weights.weekday_story_penalty)
    clusters = [[items[i].id for i in c] for c in rows]
    sizes = {s: len(m) for s, m in members.items()}
    ids, merged, split = map_clusters(clusters, story_of, sizes)
    unchanged = all(
        ids[c] is not None and set(members[ids[c]]) == set(cluster)  # type: ignore[index]
        for c, cluster in enumerate(clusters)
    )
    if unchanged:
        return
    final: list[int] = []
    for c, cluster in enumerate(clusters):
        story_id = ids[c]
        if story_id is None:
            origin = Counter(story_of[a] for a in cluster).most_common(1)[0][0]
            story_id = tables.new_story(StoryRow(0, 0, "", b"", b"", b"", None, None))
            if origin in split:
                report.split.append((origin, story_id))
                tables.log("split", origin, story_id, cluster)
        final.append(story_id)
        if set(members.get(story_id, ())) == set(cluster):
            continue  # this story is as it was: nothing to write or re-choose
        report.moved += sum(1 for a in cluster if story_of[a] != story_id)
        # Its articles now share a story with different company: their names may
        # resolve differently (see newsweave.stories.reresolve_names).
        report.changed_articles.update(cluster)
        tables.set_members(story_id, cluster)  # an upsert: articles without features stay
        rebuild(tables, story_id, cluster, vectors, cache)
    for old, c in merged.items():
        tables.merge_story(old, final[c])
        stray = [a for a in everyone[old] if a not in vectors]
        if stray:  # articles without features follow their story into the survivor
            tables.set_members(final[c], stray)
        tables.log("merge", old, final[c], everyone[old])
        report.merged.append((old, final[c]))
