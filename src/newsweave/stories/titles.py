"""A story's title and top entities, chosen from its articles.

The title is the headline (or, without one, the lead line) of the most
*central* member: the article closest to the story's mean vector, so the
title describes what the articles share rather than one outlet's angle.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

MAX_TITLE = 160


def choose_title(members: Sequence[tuple[str, float]]) -> str:
    """The headline of the most central member, given ``(headline, centrality)`` pairs
    (centrality: the dot product of the member's vector with the story's mean or sum);
    ties go to the earlier member.

    >>> choose_title([("Off-topic", 0.1), ("Dam breaks", 0.9)])
    'Dam breaks'
    """
    best = ""
    best_score = float("-inf")
    for title, score in members:
        if not title.strip():
            continue
        if score > best_score:
            best, best_score = title, score
    flat = " ".join(best.split())
    return flat if len(flat) <= MAX_TITLE else flat[: MAX_TITLE - 1] + "…"


def top_entities(
    members: Sequence[tuple[Mapping[int, str], Mapping[int, float]]], count: int = 8
) -> list[str]:
    """The names that weigh most across the members, shown in their commonest spelling.

    ``members`` holds, per article, its name labels (key -> spelling) and its
    weighted name vector. A name counts once per article it appears in, times
    its weight there, so one article repeating a name cannot dominate.

    >>> top_entities([({1: "Lind", 2: "Ashford"}, {1: .8, 2: .6}), ({2: "Ashford"}, {2: 1.0})])
    ['Ashford', 'Lind']
    """
    score: dict[int, float] = {}
    spellings: dict[int, dict[str, int]] = {}
    for labels, weights in members:
        weight = weights.get
        for k, label in labels.items():
            score[k] = score.get(k, 0.0) + weight(k, 0.0)
            counts = spellings.get(k)
            if counts is None:
                spellings[k] = {label: 1}
            else:
                counts[label] = counts.get(label, 0) + 1
    ranked = sorted(score, key=lambda k: (-score[k], k))
    shown: list[str] = []
    for k in ranked:
        counts = spellings[k]
        label = next(iter(counts)) if len(counts) == 1 else max(
            counts, key=lambda s: (counts[s], s))
        # "Reid" adds nothing next to "Tara Reid": skip names contained in a shown one.
        if any(label in other.split() or label == other for other in shown):
            continue
        shown.append(label)
        if len(shown) == count:
            break
    return shown
