"""A story's quantities: figures that count the same thing, and their values.

A figure is the number with what it counts ("people killed", "death toll", "year
old boy"). Figures whose descriptions mean the same (embedding similarity of the
descriptions, average link, never two figures of one sentence: "14 killed and nine
missing" are two quantities) are one quantity; a measure that describes something
(an age) only meets the same thing's. Per article the first figure of a quantity
counts (news puts the current count first; later figures are history). Articles of
different origins whose first figures differ disagree; an approximate figure within
5 % of another agrees with it. Where the values follow each other in publication time
and the later one is given as a change ("rose to 17") or published on a later day, it
is an **update**, not a contradiction.

Part of the comparison of reports (:mod:`.compare`, which re-exports the names here).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np

from newsweave.crosscheck.claims import ClaimUnit, Quantity

if TYPE_CHECKING:
    from newsweave.crosscheck.align import VectorCache

_TOLERANCE = 0.05
# Average similarity of two figures' predicates at which they are one quantity, and
# of the nouns they count below which they are not (all-MiniLM-L6-v2 cosines): chosen
# on MSRP train figure pairs, reported on MSRP test, the demo key and the seeds holding
# (``bench/crosscheck_gold.py --msrp``; docs/benchmarks.md "Cross-check against gold").
SAME_QUANTITY = 0.5
SAME_COUNTED = 0.35
_DISTINCT_VALUE = 20  # below, equal figures are too common to say "the same count"

Similarity = Callable[[Sequence[str]], np.ndarray]


def default_similarity() -> Similarity:
    """Cosine of the English sentence model when installed, else 1 for equal words."""
    from newsweave.nlp import english

    if english.available():
        def cosine(texts: Sequence[str]) -> np.ndarray:
            vectors = english.embed_english(list(texts))
            return np.asarray(vectors @ vectors.T)
        return cosine
    return exact_similarity


def cached_similarity(cache: VectorCache) -> Similarity:
    """:func:`default_similarity` with each description's vector read from ``cache`` where
    kept (the English model's claim-vector rows), and kept when computed: a story's first
    brief embeds its figures' and actions' words, a prepared one reads them. The rows are
    the model's own (it gives a text the same row in any batch), so the cosines are too."""
    from newsweave.crosscheck.align import cached_embedder
    from newsweave.nlp import english

    if not english.available():
        return exact_similarity
    embed = cached_embedder(cache, "minilm")

    def cosine(texts: Sequence[str]) -> np.ndarray:
        vectors = embed(list(texts))
        return np.asarray(vectors @ vectors.T)
    return cosine


def exact_similarity(texts: Sequence[str]) -> np.ndarray:
    """1 where two descriptions are the same words, else 0."""
    return np.array([[float(a == b) for b in texts] for a in texts])




def _agree(a: Quantity, b: Quantity) -> bool:
    if a.value == b.value:
        return True
    if a.approximate or b.approximate:
        return abs(a.value - b.value) <= _TOLERANCE * max(a.value, b.value)
    return False


Item = tuple[ClaimUnit, Quantity]


def quantity_similarity(a: Quantity, b: Quantity, similar: Callable[[str, str], float], *,
                        by_value: bool = True) -> float:
    """How alike two figures' quantities are: 0 when they cannot be one (another thing
    described, another unit, unlike counted nouns), else the similarity of their
    predicates; with ``by_value``, 1 for the same distinctive value of alike things.

    ``similar`` gives the similarity of two words (the sentence model's cosine)."""
    if a.of != b.of or a.unit != b.unit:
        return 0.0  # another thing described, or dollars against a count
    if a.counted and b.counted and similar(a.counted, b.counted) < SAME_COUNTED:
        return 0.0
    # The same exact figure of alike things is the same count worded otherwise
    # ("3,200 residents were evacuated", "3,200 people have been moved").
    if by_value and a.value == b.value >= _DISTINCT_VALUE and (
            (a.counted and b.counted) or a.history or b.history):
        return 1.0  # a former value ("down from 3,200") is known by its figure
    if not (a.predicate and b.predicate):
        return 0.0
    return similar(a.predicate, b.predicate)


def _cluster(items: Sequence[Item], similarity: Similarity) -> list[list[Item]]:
    """Figures that count the same thing, by average link.

    Two figures are compared by what happened to what they count (their
    predicates: "killed" ~ "died" ~ "death"), provided the nouns they count, when
    both name one, are alike ("people" ~ "residents", not "people" ~ "officers");
    figures without a predicate are never counts compared.
    """
    if not items:
        return []
    quantities = [q for _, q in items]
    words = list(dict.fromkeys(w for q in quantities
                               for w in (q.measure, q.predicate, q.counted) if w))
    at = {w: i for i, w in enumerate(words)}
    sim = similarity(words)

    def similar(x: str, y: str) -> float:
        return float(sim[at[x], at[y]])

    n = len(items)
    score = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            score[i, j] = score[j, i] = quantity_similarity(quantities[i], quantities[j], similar)
    clusters: dict[int, list[int]] = {i: [i] for i in range(n)}
    owner = list(range(n))
    pairs = sorted(((score[i, j], i, j) for i in range(n) for j in range(i + 1, n)
                    if score[i, j] >= SAME_QUANTITY), reverse=True)
    for _, i, j in pairs:
        a, b = owner[i], owner[j]
        if a == b:
            continue
        left, right = clusters[a], clusters[b]
        # Two figures of one claim are two quantities ("14 killed and nine missing").
        if {id(items[k][0]) for k in left} & {id(items[k][0]) for k in right}:
            continue
        if float(score[np.ix_(left, right)].mean()) < SAME_QUANTITY:
            continue
        left += right
        for k in right:
            owner[k] = a
        del clusters[b]
    return [[items[k] for k in sorted(members)] for members in clusters.values()]


@dataclass(slots=True)
class Figure:
    """One quantity of the story ("people killed") with each value its reports give.

    ``values`` pairs each value ("14") with the claims that give it, at most one
    per article (its first figure for the quantity, or a former value it
    restates: "down from 3,200"); ``status`` is "contested" when values of
    different origins differ, "updated" when they follow each other in time,
    else "corroborated" (two origins or more) or "single-source".
    """

    label: str
    values: list[tuple[str, list[ClaimUnit]]]
    status: str = "single-source"


def find_figures(
    claims: Mapping[int, Sequence[ClaimUnit]],
    origin_of: Mapping[int, int],
    published: Mapping[int, str | None] | None = None,
    similarity: Similarity | None = None,
) -> list[Figure]:
    """Every quantity the story's reports give, with its values and status."""
    published = published or {}
    items: list[Item] = [
        (unit, replace(q, history=True) if _in_past_year(unit, published) else q)
        for units in claims.values() for unit in units
        if not unit.is_quote  # a quote's figure is the speaker's, not the report's count
        # A figure with nothing said of it ("the two nations") is a reference, not a count.
        for q in unit.quantities if q.predicate or q.history
    ]
    figures = []
    for cluster in _cluster(items, similarity or default_similarity()):
        firsts: dict[int, Item] = {}
        for unit, q in cluster:  # reading order within each article
            if not q.history:
                firsts.setdefault(unit.article, (unit, q))
        values: list[tuple[Quantity, list[ClaimUnit]]] = []
        for unit, q in firsts.values():
            for known, units in values:
                if _agree(known, q):
                    units.append(unit)
                    break
            else:
                values.append((q, [unit]))
        for unit, q in cluster:  # a former value restated agrees with that value
            for known, units in values:
                if q.history and _agree(known, q) and all(u.article != unit.article
                                                          for u in units):
                    units.append(unit)
        if not values:
            continue
        counted = [q.measure for _, q in firsts.values()]
        label = max(counted, key=counted.count)
        origins = {origin_of.get(u.article, u.article) for _, units in values for u in units}
        status = "corroborated" if len(origins) >= 2 else "single-source"
        # Two values disagree only if they come from different origins: a copy
        # that rounds its source's figure is not a second opinion.
        if len(values) >= 2 and len(origins) >= 2:
            status = "updated" if _is_update(values, firsts, published) else "contested"
        if status == "updated":
            values.sort(key=lambda item: _earliest(item[1], published))
        else:
            values.sort(key=lambda item: (-len({origin_of.get(u.article, u.article)
                                                for u in item[1]}), item[0].value))
        figures.append(Figure(label, [(_format(q.value), units) for q, units in values], status))
    figures.sort(key=lambda f: (f.status != "contested", -sum(len(u) for _, u in f.values)))
    return figures


_PAST_YEAR = re.compile(r"\b[Ii]n (?:early |late |mid-)?((?:19|20)\d\d)\b")


def _in_past_year(unit: ClaimUnit, published: Mapping[int, str | None]) -> bool:
    """A claim set "in 2010" by a report of another year tells history, not the count."""
    year = (published.get(unit.article) or "")[:4]
    years = _PAST_YEAR.findall(unit.text)
    return bool(year and years and year not in years)


def _earliest(units: Sequence[ClaimUnit], published: Mapping[int, str | None]) -> str:
    return min((published.get(u.article) or "~") for u in units)


def _is_update(
    values: Sequence[tuple[Quantity, list[ClaimUnit]]],
    firsts: Mapping[int, Item],
    published: Mapping[int, str | None],
) -> bool:
    """Values that follow each other in time, each later one given as a change or a day later.

    A value that an article published after a newer one still gives (the
    first report repeated the next day) makes it a dispute, not an update.
    """
    spans = []
    for _, units in values:
        times = [published.get(u.article) for u in units]
        if not all(times):
            return False
        spans.append((min(times), max(times), units))  # type: ignore[type-var]
    spans.sort(key=lambda s: s[0])
    for (_, last_before, _), (first_after, _, units) in pairwise(spans):
        if first_after <= last_before:
            return False
        marked = any(firsts[u.article][1].change for u in units if u.article in firsts)
        if not marked and first_after[:10] <= last_before[:10]:
            return False
    return True


def _format(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)
