"""Linkage: the clustering of rows that repair and the whole re-clusterings apply.

Given the pair matrices of a set of articles (:func:`newsweave.stories.vectors.pair_matrices`:
their similarities and whether their names agree), :func:`cluster_rows` gives the
partition that online assignment approximates and repair restores: average linkage cut at
the threshold (:func:`average_link`), then the small clusters folded into the larger one
they fit best (:func:`attach_small`) and, where :data:`LONE_JOIN` is set, the single rows
into the cluster they are closest to (:func:`join_lone`). Every step depends only on the
rows' order, which callers fix by article id.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from newsweave.stories.vectors import ArticleVector, Weights, _incidence

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
