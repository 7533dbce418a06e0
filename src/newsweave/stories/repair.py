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
from collections.abc import Mapping, Sequence
import numpy as np


def average_link(sims: np.ndarray, threshold: float) -> list[list[int]]:
    """Clusters (lists of row indices) of average-linkage clustering cut at ``threshold``.

    Merges the pair of clusters with the highest mean pairwise similarity
    until none reaches ``threshold``. Ties go to the lowest indices, so the
    result depends only on the rows' order, which callers fix by article id.

    >>> s = np.array([[1, .9, .1], [.9, 1, .2], [.1, .2, 1]])
    >>> average_link(s, 0.5)
    [[0, 1], [2]]
    """
    n = len(sims)
    if n == 0:
        return []
    totals = sims.astype(np.float64).copy()
    sizes = np.ones(n)
    alive = np.ones(n, dtype=bool)
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    means = totals.copy()
    np.fill_diagonal(means, -np.inf)
    while n > 1:
        flat = int(np.argmax(means))
        i, j = divmod(flat, n)
        if means[i, j] < threshold:
            break
        if j < i:
            i, j = j, i
        totals[i, :] += totals[j, :]
        totals[:, i] += totals[:, j]
        sizes[i] += sizes[j]
        alive[j] = False
        members[i].extend(members.pop(j))
        row = totals[i, :] / (sizes[i] * sizes)
        row[~alive] = -np.inf
        row[i] = -np.inf
        means[i, :] = row
        means[:, i] = row
        means[j, :] = -np.inf
        means[:, j] = -np.inf
    return sorted(sorted(m) for m in members.values())


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
