"""Repair: re-cluster a neighbourhood of stories and keep their ids stable.

Online assignment sees articles one at a time, so an early article can open a
story that later arrivals show to be part of another, and a story can absorb
an article that fits the next one better. Repair takes a few related stories,
re-clusters their articles with average linkage (which does not depend on the
order the articles arrived in) and maps the new clusters back onto the old ids:
a cluster keeps the id of the old story it holds most of (the larger, then the
older, story wins), a story whose articles all went elsewhere is *merged into*
the survivor, and a part that leaves a story gets a new id (a *split*).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

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
from newsweave.stories.vectors import (
    SMALL_STORY,
    ArticleVector,
    Weights,
    _incidence,
    dot_arrays,
    names_can_disagree,
    pair_matrices,
    semantic_factor,
    veto_factor,
)

# Called before each merge of :func:`average_link` with its height, the two clusters (the
# indices of their first rows), the clusters' members and the arrays the merge was decided
# on (sums, sizes, still active): bench/stories_bigstore.py --merges records the evidence.
MergeHook = Callable[[float, tuple[int, int], dict[int, list[int]], np.ndarray, np.ndarray,
                      np.ndarray], None]


def average_link(sims: np.ndarray, threshold: float,
                 on_merge: MergeHook | None = None, weekdays: np.ndarray | None = None,
                 weekday_penalty: float = 1.0) -> list[list[int]]:
    """Clusters (lists of row indices) of average-linkage clustering cut at ``threshold``.

    With ``weekdays`` (one boolean row per item: the weekdays it names, none for a dated
    one) and ``weekday_penalty`` < 1, two clusters of two or more rows each that both name
    weekdays and share none have their mean similarity damped by the penalty
    (:data:`newsweave.stories.features.WEEKDAY_STORY_PENALTY`). A cluster's weekdays are
    its members' union, so a merge can lift a damping: the linkage is then not strictly
    reducible, and the chain's result is that of its own order (fixed by the rows').

    Merges clusters while some pair's mean pairwise similarity reaches ``threshold``,
    by the nearest-neighbour chain: O(n^2) time instead of the O(n^3) of merging the
    globally best pair each time, with the same result (average linkage is reducible:
    a cluster's best mean similarity never grows when others merge, so a cluster whose
    best is below the threshold is final, and the merges above it are those of the
    greedy order). Ties go to the lowest index, so the result depends only on the
    rows' order, which callers fix by article id.

    >>> s = np.array([[1, .9, .1], [.9, 1, .2], [.1, .2, 1]])
    >>> average_link(s, 0.5)
    [[0, 1], [2]]
    """
    n = len(sims)
    if n == 0:
        return []
    totals = sims.astype(np.float64).copy()
    sizes = np.ones(n)
    active = np.ones(n, dtype=bool)  # may still merge
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    days = (weekdays.astype(bool).copy()
            if weekdays is not None and weekday_penalty < 1.0 else None)
    chain: list[int] = []
    while True:
        if not chain:
            rest = np.flatnonzero(active)
            if len(rest) < 2:
                break
            chain.append(int(rest[0]))
        a = chain[-1]
        means = totals[a] / (sizes[a] * sizes)
        if days is not None and sizes[a] >= 2 and days[a].any():
            clash = (sizes >= 2) & days.any(axis=1) & ~(days & days[a]).any(axis=1)
            means = np.where(clash, means * weekday_penalty, means)
        means[~active] = -np.inf
        means[a] = -np.inf
        b = int(np.argmax(means))
        if not means[b] >= threshold:
            active[a] = False  # its best is below the cut, and can only fall: final
            chain.pop()
            continue
        if len(chain) > 1 and means[chain[-2]] >= means[b]:
            b = chain[-2]
        if len(chain) > 1 and b == chain[-2]:
            chain.pop()
            chain.pop()
            if on_merge is not None:
                on_merge(float(means[b]), (a, b), members, totals, sizes, active)
            i, j = min(a, b), max(a, b)
            totals[i, :] += totals[j, :]
            totals[:, i] += totals[:, j]
            sizes[i] += sizes[j]
            if days is not None:
                days[i] |= days[j]
            active[j] = False
            members[i].extend(members.pop(j))
        else:
            chain.append(b)
    return sorted(sorted(m) for m in members.values())


# A small story joins its best larger story only when fewer than ATTACH_RIVALS other larger
# stories come within ATTACH_RUNNER_UP of the best's mean similarity (a share; 1: no such
# condition). In a big store of same-kind events (the same bill, the same virus, on other
# days) a short report sits within the attach similarity of several stories of its kind,
# and which is best is a coin toss: on the AllSides training split clustered whole, 388 of
# 602 attachments put a report into a story holding none of its event. One rival is the
# other event of a pair (a topic's two earthquakes) and leaves the best one's lead
# meaningful; a crowd of them does not (docs/benchmarks.md, "Stories on unseen news,
# part 10").
ATTACH_RUNNER_UP = 0.4
ATTACH_RIVALS = 2


def attach_small(
    clusters: Sequence[Sequence[int]],
    sims: np.ndarray,
    agree: np.ndarray,
    attach: float,
    small: int,
    runner_up: float | None = None,
    rivals: int | None = None,
) -> list[list[int]]:
    """Fold clusters of at most ``small`` rows into the larger cluster they fit best.

    A report too short or too oddly worded to reach the threshold of its event
    still shares that event's words and names more than any other: it joins the
    larger cluster with the highest mean similarity, if that reaches ``attach``,
    their names agree (``agree``: 1 where two rows' names do not disagree,
    as :func:`newsweave.stories.vectors.pair_matrices` gives) and fewer than ``rivals``
    other larger clusters whose names agree come within ``runner_up`` (a share of the
    best's mean) of it (None: :data:`ATTACH_RIVALS`, :data:`ATTACH_RUNNER_UP`). Only
    larger clusters receive, so the result does not depend on the order of the small ones.

    >>> s = np.array([[1, .5, .1], [.5, 1, .15], [.1, .15, 1]])
    >>> attach_small([[0, 1], [2]], s, np.ones((3, 3)), 0.1, 1)
    [[0, 1, 2]]
    """
    ratio = ATTACH_RUNNER_UP if runner_up is None else runner_up
    crowd = ATTACH_RIVALS if rivals is None else rivals
    if attach <= 0 or small <= 0:
        return sorted(sorted(c) for c in clusters)
    big = [c for c in clusters if len(c) > small]
    if not big:
        return sorted(sorted(c) for c in clusters)
    n = len(sims)
    member = np.zeros((n, len(big)))
    for b, rows in enumerate(big):
        member[list(rows), b] = 1.0
    sizes = member.sum(axis=0)
    to_big = sims @ member  # row i: summed similarity to each big cluster
    agree_big = agree @ member
    result = [list(c) for c in big]
    for rows in clusters:
        if len(rows) > small:
            continue
        index = list(rows)
        mean = to_big[index].sum(axis=0) / (len(index) * sizes)
        agreeing = agree_big[index].sum(axis=0) / (len(index) * sizes) >= 0.5
        mean = np.where(agreeing, mean, -np.inf)
        best = int(np.argmax(mean))
        if mean[best] >= attach and _clear_best(mean, best, ratio, crowd):
            result[best].extend(index)
        else:
            result.append(index)
    return sorted(sorted(c) for c in result)


# A report that stands alone after the linkage and the attach rule joins the story of two or
# more reports it is closest to (its mean similarity to their reports: average linkage's own
# measure) from LONE_JOIN, when their names agree; None: off. An outlet's own angle on an
# event often shares less with the event's other reports than the threshold asks, and the
# attach rule cannot take it where the event's story is small (it feeds stories of more than
# SMALL_STORY only). Measured and left off (docs/benchmarks.md, "Stories on unseen news,
# part 15"): every bar that joins more reports of their event also joins single reports of
# other events of their kind, and the gain does not reach a store past the whole
# re-clusterings (the mixed store).
LONE_JOIN: float | None = None


def join_lone(clusters: Sequence[Sequence[int]], sims: np.ndarray, agree: np.ndarray,
              bar: float | None = None) -> list[list[int]]:
    """Each cluster of one row joins the cluster of two or more rows with the highest mean
    similarity to it, if that reaches ``bar`` (None: :data:`LONE_JOIN`, off when None) and
    their names agree (``agree``, as :func:`attach_small` reads it). Only clusters of two or
    more receive, so the result does not depend on the order of the single ones.

    >>> s = np.array([[1, .5, .2], [.5, 1, .2], [.2, .2, 1]])
    >>> ones = np.ones((3, 3))
    >>> join_lone([[0, 1], [2]], s, ones, 0.2), join_lone([[0, 1], [2]], s, ones, 0.3)
    ([[0, 1, 2]], [[0, 1], [2]])
    """
    bar = LONE_JOIN if bar is None else bar
    big = [list(c) for c in clusters if len(c) >= 2]
    if bar is None or not big or len(big) == len(clusters):
        return sorted(sorted(c) for c in clusters)
    member = np.zeros((len(sims), len(big)))
    for b, rows in enumerate(big):
        member[rows, b] = 1.0
    sizes = member.sum(axis=0)
    mean = np.where((agree @ member) / sizes >= 0.5, (sims @ member) / sizes, -np.inf)
    result = [list(c) for c in big]
    for rows in clusters:
        if len(rows) >= 2:
            continue
        best = int(np.argmax(mean[rows[0]]))
        if mean[rows[0], best] >= bar:
            result[best].append(rows[0])
        else:
            result.append(list(rows))
    return sorted(sorted(c) for c in result)


def _clear_best(mean: np.ndarray, best: int, ratio: float, rivals: int) -> bool:
    """Whether fewer than ``rivals`` entries of ``mean`` but ``best`` pass ``ratio`` times
    it."""
    if ratio >= 1.0 or len(mean) < 2:
        return True
    return int((np.delete(mean, best) > ratio * mean[best]).sum()) < rivals


def cluster_rows(
    sims: np.ndarray, agree: np.ndarray, threshold: float, attach: float, small: int,
    weekdays: np.ndarray | None = None, weekday_penalty: float = 1.0,
) -> list[list[int]]:
    """Average linkage cut at ``threshold`` (two stories' weekdays weighed as
    :func:`average_link` says), then :func:`attach_small` and, where :data:`LONE_JOIN` is
    set, :func:`join_lone`: the partition that online assignment approximates and repair
    restores."""
    clusters = average_link(sims, threshold, weekdays=weekdays,
                            weekday_penalty=weekday_penalty)
    attached = attach_small(clusters, sims, agree, attach, small)
    return attached if LONE_JOIN is None else join_lone(attached, sims, agree)


def story_weekdays(items: Sequence[ArticleVector], weights: Weights) -> np.ndarray | None:
    """Each item's weekdays as an incidence row for :func:`average_link` (none for a
    dated item: its date says when), or None when the stories' weekday veto is off."""
    if weights.weekday_story_penalty >= 1.0 or weights.weekday_penalty >= 1.0:
        return None  # weekdays are collected only while the pairs' veto is on
    return _incidence([frozenset() if a.day is not None else a.weekdays for a in items])


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
    """Whether average linkage plus :func:`attach_small` (and :func:`join_lone`) could join
    stories ``a`` and ``b``."""
    if score >= threshold:
        return True
    small, large = sorted((a.row.size, b.row.size))
    if LONE_JOIN is not None and agree and score >= LONE_JOIN and small == 1 < large:
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
