"""Where reports disagree: counts, people, negation and dates that differ.

Two reports of the same fact often do not align word for word precisely
because they differ ("14 people were killed" against "Seventeen people have
now died"), so disagreement is found by *slot*, not only inside aligned groups.
What a slot is comes from the dependency parse (:mod:`.frames`), not from lists:

* **counts**: the values each report gives for one quantity ("people killed"),
  and whether they differ or update each other (:mod:`.figures`);
* **people**, and **negation, dates, places** inside aligned groups
  (:mod:`.disputes`).

This module puts them together and keeps their names importable from here. The
thresholds are read where they are used: set ``figures.SAME_QUANTITY``,
``figures.SAME_COUNTED`` and ``disputes.SAME_ACTION`` to try others.

Stable API: :class:`Conflict`, :func:`find_conflicts`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from newsweave.crosscheck.claims import ClaimUnit
from newsweave.crosscheck.disputes import (
    SAME_ACTION,
    Conflict,
    _group_conflicts,
    _person_conflicts,
)
from newsweave.crosscheck.figures import (
    SAME_COUNTED,
    SAME_QUANTITY,
    Figure,
    Similarity,
    cached_similarity,
    default_similarity,
    exact_similarity,
    find_figures,
    quantity_similarity,
)

if TYPE_CHECKING:
    from newsweave.crosscheck.frames import ClaimFramer


def find_conflicts(
    claims: Mapping[int, Sequence[ClaimUnit]],
    origin_of: Mapping[int, int],
    texts: Mapping[int, str],
    groups: Sequence[Sequence[ClaimUnit]] = (),
    *,
    published: Mapping[int, str | None] | None = None,
    similarity: Similarity | None = None,
    figures: Sequence[Figure] | None = None,
    framer: ClaimFramer | None = None,
) -> list[Conflict]:
    """Every disagreement between articles of different origins.

    ``claims`` maps article id to its claims in reading order, ``origin_of``
    article id to its independent origin, ``texts`` article id to clean text,
    ``groups`` the aligned claim groups, ``published`` article id to its ISO
    publication time, ``similarity`` descriptions to their similarity matrix
    (default: the English sentence model when installed, else equal words);
    ``figures`` the story's quantities when :func:`find_figures` already ran;
    ``framer`` reads the action frames a store keeps (:class:`.frames.ClaimFramer`).
    """
    similarity = similarity or default_similarity()
    if figures is None:
        figures = find_figures(claims, origin_of, published, similarity)
    conflicts = [
        Conflict("number", f.label, [units for _, units in f.values],
                 [value for value, _ in f.values], update=f.status == "updated")
        for f in figures if f.status in ("contested", "updated")
    ]
    conflicts += _person_conflicts(claims, origin_of, texts, similarity, framer)
    conflicts += _group_conflicts(groups, origin_of, texts)
    return conflicts


__all__ = ["SAME_ACTION", "SAME_COUNTED", "SAME_QUANTITY", "Conflict", "Figure",
           "Similarity", "cached_similarity", "default_similarity", "exact_similarity",
           "find_conflicts", "find_figures", "quantity_similarity"]
